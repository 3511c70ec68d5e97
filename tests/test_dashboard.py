"""The admin index is a dashboard of what needs doing."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Appeal
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_recommendation,
    make_staff,
    make_urgent_appeal,
)

pytestmark = pytest.mark.django_db


def _populate(officer, n):
    for i in range(n):
        case = make_case(opened_on=datetime.date(2020, 1, 1))
        make_urgent_appeal(case, officer, title=f"My draft {i}")
        make_urgent_appeal(
            case, make_staff("case-officer"), state=Appeal.State.IN_REVIEW, title=f"Waiting {i}"
        )
        make_recommendation(case, text=f"Overdue {i}", issued_on=datetime.date(2020, 1, 1))
        make_alert(case, title=f"Old alert {i}", date=datetime.date(2020, 2, 1))


def test_it_shows_what_needs_doing_with_links_to_the_lists(client):
    officer = make_staff("case-officer")
    _populate(officer, 2)
    log_in(client, officer)
    response = client.get(reverse("admin:index"))
    page = response.content.decode()
    for text in ("My draft 1", "Waiting 1", "Overdue 1", "Old alert 1"):
        assert text in page
    assert "?mine=yes&amp;state__in=draft,in_review" in page
    assert "?state__exact=in_review" in page
    assert "?overdue=yes" in page and "?quiet=90" in page and "?logged=30" in page
    for link in ("?mine=yes&state__in=draft,in_review", "?overdue=yes"):
        model = "appeal" if "mine" in link else "recommendation"
        listing = client.get(reverse(f"admin:cases_{model}_changelist") + link)
        assert listing.status_code == 200 and listing.context["cl"].result_count == 2


def test_it_uses_a_fixed_number_of_queries(client, django_assert_num_queries):
    officer = make_staff("case-officer")
    _populate(officer, 2)
    log_in(client, officer)
    client.get(reverse("admin:index"))  # warm the content-type cache
    # 15 for the page (one per panel: my cases, follow-ups of cases and of recommendations,
    # drafts, review, my overdue and all overdue recommendations, alerts, quiet cases, cases
    # to translate, one query whatever the number of languages), plus
    # the session's OTP device and the session's new expiry (an update between two
    # savepoints): staff sessions expire after 30 minutes idle.
    with django_assert_num_queries(19):
        client.get(reverse("admin:index"))
    _populate(officer, 3)
    with django_assert_num_queries(19):
        client.get(reverse("admin:index"))


def test_it_says_when_there_is_nothing_to_do(client):
    log_in(client, make_staff("case-officer"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "You have no appeal in draft or in review." in page
    assert "No recommendation is overdue." in page
