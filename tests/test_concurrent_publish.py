"""
Appeals published at the same moment: each gets its own code, the numbers have no gaps, and no
publisher gets an error. Publishing takes the numbering lock (cases/reference_codes.py) before
it reads the last case number and the last running number.
"""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from cases import services
from cases.models import Appeal, Case
from tests.factories import log_in, make_case, make_staff, make_urgent_appeal, publish

ON = datetime.date(2026, 3, 2)

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent publishing needs PostgreSQL: SQLite lets one transaction write at a time",
)


def _appeals_in_review(count, officer):
    appeals = []
    for _ in range(count):
        # Cases of the same state: each publish also takes the state's next case number.
        appeal = make_urgent_appeal(make_case(state_of_concern="KZ"), officer)
        services.submit_for_review(appeal, officer)
        appeals.append(appeal)
    return appeals


def _run_together(work_per_thread, rounds):
    """Run work_per_thread[i](round) in thread i, all threads starting each round together."""
    start = threading.Barrier(len(work_per_thread), timeout=30)
    errors = []

    def worker(work):
        try:
            for round_number in range(rounds):
                start.wait()
                try:
                    work(round_number)
                except Exception as error:  # noqa: BLE001 - every error is a failure of the test
                    errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(work,)) for work in work_per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a publisher is stuck"
    return errors


def _assert_unique_and_gapless(count):
    published = Appeal.objects.filter(state=Appeal.State.PUBLISHED)
    assert published.count() == count
    codes = list(published.values_list("reference_code", flat=True))
    assert len(set(codes)) == count
    numbers = sorted(published.values_list("code_number", flat=True))
    assert numbers == list(range(1, count + 1))
    case_numbers = sorted(Case.objects.values_list("country_number", flat=True))
    assert case_numbers == list(range(1, count + 1))


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_publishes_four_appeals_at_the_same_moment_twenty_times_without_an_error():
    threads, rounds = 4, 20
    officer = make_staff("case-officer")
    publisher = make_staff("publisher")
    appeals = _appeals_in_review(threads * rounds, officer)

    def publishing(thread):
        def work(round_number):
            publish(appeals[round_number * threads + thread], publisher, today=ON)

        return work

    errors = _run_together([publishing(t) for t in range(threads)], rounds)
    assert errors == []
    _assert_unique_and_gapless(threads * rounds)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_publishers_pressing_publish_in_the_admin_at_the_same_moment_all_succeed():
    from django.test import Client

    threads, rounds = 4, 3
    officer = make_staff("case-officer")
    publishers = [make_staff("publisher") for _ in range(threads)]
    appeals = _appeals_in_review(threads * rounds, officer)
    answers = []

    def publishing(thread):
        client = log_in(Client(), publishers[thread])

        def work(round_number):
            appeal = appeals[round_number * threads + thread]
            url = reverse("admin:cases_appeal_publish", args=[appeal.pk])
            # As the confirmation page carries it: the version the publisher reviewed.
            version = Appeal.objects.values_list("version", flat=True).get(pk=appeal.pk)
            response = client.post(url, {"version": version}, follow=True)
            answers.append((response.status_code, [str(m) for m in response.context["messages"]]))

        return work

    errors = _run_together([publishing(t) for t in range(threads)], rounds)
    assert errors == []
    assert len(answers) == threads * rounds
    for status, notices in answers:
        assert status == 200
        assert len(notices) == 1 and notices[0].endswith("is published."), notices
    _assert_unique_and_gapless(threads * rounds)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_changes_creating_a_case_s_generation_at_once_end_on_two_generations():
    """
    The first public change to a case's parts creates its generation row. Two at once: the
    second waits for the first to commit (every public change locks the same first row), then
    increments the row the first created, so a page rendered between the two commits is not
    served after the second.
    """
    from django.db import transaction

    from cases.models import PageGeneration
    from public import cache as page_cache

    case = make_case()
    PageGeneration.objects.filter(scope=case.pk).delete()
    first_bumped, release_first = threading.Event(), threading.Event()
    seen = {}

    def first():
        try:
            with transaction.atomic():
                page_cache.public_change(case_pk=case.pk)
                seen["first"] = PageGeneration.objects.get(scope=case.pk).generation
                first_bumped.set()
                release_first.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            first_bumped.wait(10)
            with transaction.atomic():
                page_cache.public_change(case_pk=case.pk)  # waits for the first's commit
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_bumped.wait(10)
    threads[1].join(0.5)
    assert threads[1].is_alive(), "the second change waits for the first's commit"
    release_first.set()
    for thread in threads:
        thread.join(30)
    assert PageGeneration.objects.get(scope=case.pk).generation == seen["first"] + 1
