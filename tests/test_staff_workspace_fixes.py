"""
What case officers and publishers stumbled on in the staff workspace, each fixed and proven:
the status after a government response, refusals that say what to do, the history's times and
the search for defenders by misspelled names. (Dates have their own file: test_staff_dates.py.)
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cases.models import Recommendation
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_case,
    make_recommendation,
    make_staff,
    make_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    return log_in(client, make_staff("case-officer", full_name="Olga Officer"))


# --- 2. The status after a government response ------------------------------------------------


def test_it_says_the_status_the_update_gave_the_recommendation(officer):
    recommendation = make_recommendation(make_case())
    url = reverse("admin:cases_recommendationupdate_add") + f"?recommendation={recommendation.pk}"
    data = form_data(officer.get(url))
    data.update(
        {
            "date": "2020-05-04",
            "status": "committed",
            "description": "Belgium gave assurances that cooperation would be suspended.",
        }
    )
    response = officer.post(url, data)
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["Update recorded: the recommendation is now “committed”."]
    assert Recommendation.objects.get(pk=recommendation.pk).current_status == "committed"


def test_the_recommendation_page_shows_its_status_and_whether_it_is_overdue(officer):
    case = make_case()
    late = make_recommendation(case, issued_on=datetime.date(2020, 3, 20))
    answered = make_recommendation(case, issued_on=datetime.date(2020, 3, 20))
    make_update(answered, "implemented", datetime.date(2020, 6, 1))

    page = officer.get(reverse("admin:cases_recommendation_change", args=[late.pk]))
    status = page.content.decode().split('id="recommendation-status"')[1].split("</p>")[0]
    assert "<strong>pending</strong>" in status and "no update yet" in status
    assert "Overdue: nothing new for more than 90 days." in status

    page = officer.get(reverse("admin:cases_recommendation_change", args=[answered.pk]))
    status = page.content.decode().split('id="recommendation-status"')[1].split("</p>")[0]
    assert "<strong>implemented</strong>" in status and "1 June 2020" in status
    assert "not overdue" in status
