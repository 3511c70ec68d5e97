"""
A case's stored `last_public_change`: what the home page orders by and the sitemap and the case
page print. It follows the publication of the case, its alerts and its appeals, whatever wrote
them, and never an edit the public does not see.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Alert, Appeal, Case

from .factories import make_alert, make_appeal, make_case, published_appeal_fields

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return timezone.make_aware(datetime.datetime(2024, 1, day, hour))


def stored(case):
    return Case.objects.values_list("last_public_change", flat=True).get(pk=case.pk)


def test_it_is_the_latest_publication_of_the_case_its_alerts_and_appeals():
    case = make_case(published_at=at(1))
    assert stored(case) == at(1) == case.last_public_change
    alert = make_alert(case, published_at=at(5))
    assert stored(case) == at(5)
    make_alert(case, published_at=None)  # a draft moves nothing
    assert stored(case) == at(5)
    appeal = make_appeal(case, **published_appeal_fields(on=datetime.date(2024, 1, 3)))
    assert stored(case) == at(5)
    appeal.corrected_at = at(9)
    appeal.save()
    assert stored(case) == at(9)  # a correction is a change the public sees
    appeal.delete()
    assert stored(case) == at(5)
    alert.published_at = None  # unpublished
    alert.save()
    assert stored(case) == at(1)


def test_an_internal_edit_does_not_move_it():
    case = make_case(published_at=at(1))
    make_alert(case, published_at=at(2))
    case.internal_notes = "Called the lawyer."
    case.save()
    assert stored(case) == at(2)
    case.refresh_from_db()
    assert case.last_public_change == at(2)


def test_a_draft_case_has_none_and_its_publication_sets_it():
    case = make_case(published=False)
    make_alert(case, published_at=at(3))
    assert stored(case) is None
    case.published_at = at(7)
    case.save()
    assert stored(case) == at(7) == case.last_public_change


def test_writes_no_signal_sees_are_caught_up_by_one_update():
    case = make_case(published_at=at(1))
    Alert.objects.bulk_create(
        [
            Alert(
                case=case,
                kind=Alert.Kind.OTHER,
                date=datetime.date(2020, 1, 1),
                title="Bulk",
                published_at=at(8),
            )
        ]
    )
    assert stored(case) == at(1)
    assert Case.objects.filter(pk=case.pk).refresh_last_public_change() == 1
    assert stored(case) == at(8)


def test_fixtures_loaded_raw_set_it(jardemalie):
    case = Case.objects.get(slug="botagoz-jardemalie")
    alerts = Alert.objects.filter(case=case, published_at__isnull=False)
    appeals = Appeal.objects.filter(case=case, state=Appeal.State.PUBLISHED)
    moments = [case.published_at, *alerts.values_list("published_at", flat=True)]
    moments += [a.corrected_at or a.published_at for a in appeals]
    assert stored(case) == max(m for m in moments if m)


def test_the_generator_sets_it(tmp_path):
    call_command("generate_data", "--cases", "3", "--seed", "2", verbosity=0)
    cases = Case.objects.published()
    assert cases.exists()
    expected = dict(cases.values_list("pk", "last_public_change"))
    Case.objects.update(last_public_change=None)
    cases.refresh_last_public_change()
    assert dict(cases.values_list("pk", "last_public_change")) == expected
    assert None not in expected.values()


def test_the_home_page_reads_it_without_looking_at_alerts_or_appeals(client):
    old = make_case(published_at=at(1), title="Old")
    new = make_case(published_at=at(2), title="New")
    make_alert(old, published_at=at(20))  # a new development moves the old case up
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/").content.decode()
    assert body.index(">Old<") < body.index(">New<")
    listing = next(q["sql"] for q in queries if "last_public_change" in q["sql"])
    assert "cases_alert" not in listing and "cases_appeal" not in listing
    assert new.get_absolute_url() in body
