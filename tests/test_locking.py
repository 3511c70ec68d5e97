"""Two staff editing the same record: the second save is refused and nothing is lost."""

import contextlib
import threading

import pytest
from django.db import connection
from django.urls import reverse

from cases.locking import stale_edit_message
from cases.models import Alert, Appeal, Case, Recommendation
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_recommendation,
    make_staff,
    make_urgent_appeal,
)


def _url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["case", "alert", "appeal", "recommendation"])
def test_it_refuses_the_second_of_two_edits(client, kind):
    first_user = make_staff("publisher", full_name="Maria First")
    second_user = make_staff("publisher")
    case = make_case()
    obj = {
        "case": lambda: case,
        "alert": lambda: make_alert(case),
        "appeal": lambda: make_urgent_appeal(case, make_staff("case-officer")),
        "recommendation": lambda: make_recommendation(case),
    }[kind]()
    field = {
        "case": "summary_en",
        "alert": "description_en",
        "appeal": "body_en",
        "recommendation": "text_en",
    }[kind]

    # Both open the form; the first saves.
    log_in(client, second_user)
    seconds_form = form_data(client.get(_url(obj)))
    log_in(client, first_user)
    firsts_form = form_data(client.get(_url(obj)))
    firsts_form[field] = "The first edit."
    assert client.post(_url(obj), firsts_form).status_code == 302

    # The second saves from the form opened before: refused, nothing overwritten.
    log_in(client, second_user)
    seconds_form[field] = "The second edit."
    response = client.post(_url(obj), seconds_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Maria First changed this" in page
    assert "your edits are still in the form below" in page
    assert "The second edit." in page  # the input is kept for them to copy
    obj.refresh_from_db()
    assert getattr(obj, field) == "The first edit."


@pytest.mark.django_db
def test_a_failing_inline_leaves_nothing_half_saved(client):
    officer = make_staff("case-officer")
    alert = make_alert(make_case(), title="Before")
    log_in(client, officer)
    data = form_data(client.get(_url(alert)))
    data.update(
        {
            "title_en": "After",
            "citations-TOTAL_FORMS": "2",
            "citations-1-quoted_passage": "A citation with no source.",
            "citations-1-position": "1",
        }
    )
    response = client.post(_url(alert), data)
    assert response.status_code == 200
    assert response.context["errors"]
    alert.refresh_from_db()
    assert alert.title == "Before" and alert.citations.count() == 0
    assert alert.history.count() == 1


@pytest.mark.django_db
def test_the_message_names_a_command_when_no_user_is_known():
    case = make_case()
    assert "someone else" not in stale_edit_message(case)
    assert "a command or import" in stale_edit_message(case)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_admin_saves_at_the_same_moment_cannot_both_win(monkeypatch):
    """
    Two staff press Save on the same case at the same moment, both from version 1. Each save
    waits (up to two seconds) for the other to reach the version check too. Without the row
    lock both would pass the check together and the second would overwrite the first; with
    it the second waits for the first to commit, then sees version 2 and is refused.
    """
    from django.db import connections
    from django.test import Client

    from cases.locking import VersionedForm

    case = make_case()
    users = [make_staff("publisher", full_name=f"Editor {n}") for n in (1, 2)]
    client = Client()
    log_in(client, users[0])
    opened = form_data(client.get(_url(case)))

    both_checking = threading.Barrier(2, timeout=2)
    original_clean = VersionedForm.clean

    def clean_together(form):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checking.wait()
        return original_clean(form)

    monkeypatch.setattr(VersionedForm, "clean", clean_together)
    statuses = {}

    def save(user, text):
        try:
            editor = Client()
            log_in(editor, user)
            statuses[text] = editor.post(_url(case), {**opened, "summary_en": text}).status_code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(user, f"Edit by {user.first_name} {user.last_name}"))
        for user in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses.values()) == [200, 302]
    (winner,) = [text for text, status in statuses.items() if status == 302]
    case.refresh_from_db()
    assert case.summary == winner and case.version == 2


@pytest.mark.django_db
def test_every_save_moves_the_version_on():
    case = make_case()
    assert case.version == 1
    case.save()
    case.save(update_fields=["summary"])
    assert Case.objects.get(pk=case.pk).version == 3
    for model in (Alert, Appeal, Recommendation):
        assert model._meta.get_field("version")
