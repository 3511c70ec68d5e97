"""
The case form's cost does not grow with the timeline: it shows the latest alerts, appeals and
recommendations read-only, links to the case's filtered lists, and saves whatever their number.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Alert
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_appeal,
    make_case,
    make_recommendation,
    make_staff,
)

pytestmark = pytest.mark.django_db


def _url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def _case_with(alerts):
    case = make_case()
    Alert.objects.bulk_create(
        Alert(
            case=case,
            date=datetime.date(2000, 1, 1) + datetime.timedelta(days=n),
            kind=Alert.Kind.OTHER,
            title=f"Alert {n:05d}",
            description="What happened.",
        )
        for n in range(alerts)
    )
    for _ in range(2):
        make_appeal(case)
        make_recommendation(case)
    return case


@pytest.fixture
def officer_client(client):
    return log_in(client, make_staff("case-officer"))


def test_a_case_with_1200_alerts_saves(officer_client):
    case = _case_with(1200)
    data = form_data(officer_client.get(_url(case)))
    assert len(data) < 100  # Django refuses more than 1,000 fields
    data["summary_en"] = "Saved with 1,200 alerts."
    response = officer_client.post(_url(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.summary == "Saved with 1,200 alerts."


def test_the_case_form_costs_the_same_with_2_and_1200_alerts(
    officer_client, django_assert_num_queries
):
    small, large = _case_with(2), _case_with(1200)
    officer_client.get(_url(small))  # the session and permissions, loaded once
    with CaptureQueriesContext(connection) as queries:
        small_page = officer_client.get(_url(small)).content
    with django_assert_num_queries(len(queries)):
        large_page = officer_client.get(_url(large)).content
    assert len(large_page) < len(small_page) + 2_000


def test_it_shows_the_latest_ten_alerts_and_links_to_all_of_them(officer_client):
    case = _case_with(12)
    other = make_alert(make_case(), title="Alert of another case")
    page = officer_client.get(_url(case)).content.decode()
    shown = [n for n in range(12) if f"Alert {n:05d}" in page]
    assert shown == list(range(2, 12))  # the latest ten, by date
    every = reverse("admin:cases_alert_changelist") + f"?case={case.pk}"
    assert f'href="{every}"' in page and "All 12 alerts of this case" in page
    listed = officer_client.get(every)
    assert listed.status_code == 200
    assert len(listed.context["cl"].result_list) == 12
    assert other.title not in listed.content.decode()
    assert case.title in listed.content.decode()  # the filter says which case


@pytest.mark.parametrize("name", ["appeal", "recommendation"])
def test_the_appeals_and_recommendations_of_a_case_link_to_their_lists(officer_client, name):
    case = _case_with(0)
    make_appeal(make_case())
    make_recommendation(make_case())
    page = officer_client.get(_url(case)).content.decode()
    every = reverse(f"admin:cases_{name}_changelist") + f"?case={case.pk}"
    assert f'href="{every}"' in page
    listed = officer_client.get(every)
    assert listed.status_code == 200
    assert len(listed.context["cl"].result_list) == 2


def test_a_case_filter_that_is_not_a_case_shows_nothing(officer_client):
    _case_with(3)
    for value in ("abc", "999999"):
        response = officer_client.get(reverse("admin:cases_alert_changelist"), {"case": value})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []
