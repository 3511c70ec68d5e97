"""
Bulk actions of the lists: a confirmation page first (as Django's delete action), then each
record through its service, with a message that counts what changed and names what was
refused and why.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cases.models import Alert, Case, Recommendation
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_recommendation,
    make_staff,
    make_urgent_appeal,
)

pytestmark = pytest.mark.django_db

CASES = reverse("admin:cases_case_changelist")


def _post(client, url, action, objs, **data):
    return client.post(
        url, {"action": action, "_selected_action": [o.pk for o in objs], **data}, follow=True
    )


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _actions(client, url):
    return [
        name for name, _label in client.get(url).context["action_form"].fields["action"].choices
    ]


def test_a_bulk_publish_asks_for_confirmation_first(client):
    case = make_case()
    alerts = [make_alert(case, published=False, title=f"Draft {i}") for i in range(2)]
    log_in(client, make_staff("publisher"))
    url = reverse("admin:cases_alert_changelist")
    page = _post(client, url, "publication_publish", alerts)
    body = page.content.decode()
    assert page.status_code == 200 and "Draft 0" in body and "Draft 1" in body
    assert 'name="confirm" value="yes"' in body
    assert not Alert.objects.filter(published_at__isnull=False).exists()
    done = _post(client, url, "publication_publish", alerts, confirm="yes")
    assert Alert.objects.filter(published_at__isnull=False).count() == 2
    assert "Publish: 2 records changed." in _messages(done)


def test_a_bulk_publish_says_which_were_refused_and_why(client):
    case = make_case()
    draft = make_alert(case, published=False, title="A draft")
    already = make_alert(case, title="Already public")
    log_in(client, make_staff("publisher"))
    url = reverse("admin:cases_alert_changelist")
    done = _post(client, url, "publication_publish", [draft, already], confirm="yes")
    messages = _messages(done)
    assert "Publish: 1 record changed." in messages
    assert any(
        "1 refused" in m and "Already public" in m and "does not apply" in m for m in messages
    )


def test_only_those_who_may_publish_get_the_publish_action(client):
    log_in(client, make_staff("case-officer"))
    assert "publication_publish" not in _actions(client, CASES)
    assert "close_cases" not in _actions(client, CASES)
    assert "assign_lead_officer" in _actions(client, CASES)
    # Posting it anyway does nothing.
    case = make_case(published=False)
    _post(client, CASES, "publication_publish", [case], confirm="yes")
    case.refresh_from_db()
    assert case.published_at is None


def test_appeals_have_no_bulk_publish_and_the_list_says_why(client):
    make_urgent_appeal(make_case(), make_staff("case-officer"))
    log_in(client, make_staff("publisher"))
    url = reverse("admin:cases_appeal_changelist")
    assert not [a for a in _actions(client, url) if "publish" in a]
    assert "four eyes" in client.get(url).content.decode()


def test_cases_are_assigned_to_a_lead_officer_in_bulk(client):
    me, colleague = make_staff("case-officer"), make_staff("case-officer")
    cases = [make_case(lead_officer=me), make_case(lead_officer=colleague)]
    log_in(client, me)
    page = _post(client, CASES, "assign_lead_officer", cases)
    assert 'name="lead_officer"' in page.content.decode()
    done = _post(
        client, CASES, "assign_lead_officer", cases, confirm="yes", lead_officer=colleague.pk
    )
    assert all(
        c.lead_officer == colleague for c in Case.objects.filter(pk__in=[c.pk for c in cases])
    )
    messages = _messages(done)
    assert "Assign a lead officer: 1 record changed." in messages
    assert any("Already led by" in m for m in messages)


def test_a_missing_lead_officer_shows_the_form_again_with_an_error(client):
    me = make_staff("case-officer")
    case = make_case()
    log_in(client, me)
    page = _post(client, CASES, "assign_lead_officer", [case], confirm="yes", lead_officer="x")
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    case.refresh_from_db()
    assert case.lead_officer is None


def test_a_follow_up_date_is_set_on_several_cases_and_recommendations(client):
    me = make_staff("case-officer")
    cases = [make_case(), make_case()]
    log_in(client, me)
    _post(
        client,
        CASES,
        "set_follow_up",
        cases,
        confirm="yes",
        follow_up_on="2026-07-01",
        note="Ask the ministry again",
    )
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert case.follow_up_on == datetime.date(2026, 7, 1)
        assert case.follow_up_note == "Ask the ministry again"
        assert case.history.first().history_user == me
    recommendations = [make_recommendation(cases[0]) for _ in range(2)]
    url = reverse("admin:cases_recommendation_changelist")
    done = _post(
        client, url, "set_follow_up", recommendations, confirm="yes", follow_up_on="2026-08-01"
    )
    assert Recommendation.objects.filter(follow_up_on=datetime.date(2026, 8, 1)).count() == 2
    assert "Set a follow-up date: 2 records changed." in _messages(done)


def test_a_publisher_closes_cases_in_bulk_and_a_rule_refuses_one(client):
    publisher = make_staff("publisher")
    open_case = make_case(title="Open one", opened_on=datetime.date(2020, 1, 1))
    too_late = make_case(title="Opened later", opened_on=datetime.date(2026, 5, 1))
    closed = make_case(
        title="Closed already",
        status=Case.Status.CLOSED,
        closed_on=datetime.date(2021, 1, 1),
        closing_reason="Released.",
    )
    log_in(client, publisher)
    assert "close_cases" in _actions(client, CASES)
    done = _post(
        client,
        CASES,
        "close_cases",
        [open_case, too_late, closed],
        confirm="yes",
        closed_on="2026-01-15",
        reason="She was released.",
    )
    open_case.refresh_from_db()
    assert open_case.status == "closed" and open_case.closed_on == datetime.date(2026, 1, 15)
    assert open_case.closing_reason == "She was released."
    too_late.refresh_from_db()
    assert too_late.status == "open"
    messages = _messages(done)
    assert "Close: 1 record changed." in messages
    refused = next(m for m in messages if "2 refused" in m)
    assert "Opened later" in refused and "cannot close before it opened" in refused
    assert "Closed already (already closed)" in refused


def test_a_publisher_publishes_what_awaits_publication_after_confirming(client):
    from cases.models import PublicationRequest
    from cases.services import request_publication

    officer, publisher = make_staff("case-officer"), make_staff("publisher")
    cases = [make_case(published=False, title=f"Asked {i}") for i in range(2)]
    rows = [request_publication(case, officer) for case in cases]
    log_in(client, publisher)
    url = reverse("admin:cases_publicationrequest_changelist")
    page = _post(client, url, "publish_selected", rows)
    assert f"case #{cases[0].pk}" in page.content.decode()
    assert PublicationRequest.objects.count() == 2  # nothing published before confirming
    done = _post(client, url, "publish_selected", rows, confirm="yes")
    assert Case.objects.filter(published_at__isnull=False).count() == 2
    assert not PublicationRequest.objects.exists()
    assert "Publish the selected records: 2 records changed." in _messages(done)
    log_in(client, officer)
    assert "publish_selected" not in _actions(client, url)
