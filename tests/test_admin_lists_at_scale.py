"""
The admin's change lists stay cheap on a large observatory: no count of the whole table on
top of the page's own, no DISTINCT over every alert, a fixed number of queries per page.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import make_alert, make_case, make_recommendation, make_update

pytestmark = pytest.mark.django_db


def test_the_alert_list_filters_by_the_years_between_the_first_and_last_alert(admin_client):
    case = make_case()
    make_alert(case, date=datetime.date(2017, 5, 1), title="Old search")
    make_alert(case, date=datetime.date(2019, 10, 1), title="Recent hearing")
    url = reverse("admin:cases_alert_changelist")

    response = admin_client.get(url)
    year_filter = next(spec for spec in response.context["cl"].filter_specs if spec.title == "year")
    years = [choice["display"] for choice in year_filter.choices(response.context["cl"])]

    assert years == ["All", "2019", "2018", "2017"]
    filtered = admin_client.get(url, {"year": "2017"}).content.decode()
    assert "Old search" in filtered and "Recent hearing" not in filtered


def test_the_alert_year_filter_shows_nothing_for_a_malformed_year(admin_client):
    make_alert(make_case(), title="An alert")

    response = admin_client.get(reverse("admin:cases_alert_changelist"), {"year": "20x9"})

    assert response.status_code == 200
    assert "An alert" not in response.content.decode()


def test_the_case_list_names_the_state_of_concern_and_the_last_alert(admin_client):
    case = make_case(title="A case in Belarus", state_of_concern="BY")
    make_alert(case, date=datetime.date(2018, 1, 2))
    make_alert(case, date=datetime.date(2021, 6, 7))

    response = admin_client.get(reverse("admin:cases_case_changelist"))

    row = response.context["cl"].result_list.get(pk=case.pk)
    assert row.last_alert == datetime.date(2021, 6, 7)
    assert "Belarus" in response.content.decode()


@pytest.mark.parametrize("page", ["case", "alert", "recommendation"])
def test_a_change_list_costs_the_same_queries_with_more_rows(
    admin_client, django_assert_num_queries, page
):
    def add_rows():
        case = make_case(other_states="BE")
        make_alert(case)
        recommendation = make_recommendation(case)
        make_update(recommendation, "committed", datetime.date(2021, 1, 1))

    url = reverse(f"admin:cases_{page}_changelist")
    add_rows()
    admin_client.get(url)

    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(3):
        add_rows()
    with django_assert_num_queries(len(few)):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_a_change_list_counts_its_results_once(admin_client):
    make_alert(make_case())
    url = reverse("admin:cases_alert_changelist")
    admin_client.get(url)

    with CaptureQueriesContext(connection) as queries:
        admin_client.get(url)

    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
