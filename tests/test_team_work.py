"""
What a team of case officers expects: a lead officer and collaborators on each case, "my work"
on the dashboard, and follow-up reminders on cases and recommendations.
"""

import datetime

import pytest
from django.urls import reverse

from cases.models import Case, PublicationRequest, Recommendation
from cases.services import request_publication
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_recommendation,
    make_staff,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)


def _dashboard(client):
    return client.get(reverse("admin:index")).content.decode()


def test_it_shows_my_cases_whether_i_lead_or_collaborate(client):
    me, colleague = make_staff("case-officer"), make_staff("case-officer")
    led = make_case(title="Led by me", lead_officer=me)
    helped = make_case(title="I help on this", lead_officer=colleague)
    helped.collaborators.add(me)
    make_case(title="Not mine at all", lead_officer=colleague)
    log_in(client, me)
    page = _dashboard(client)
    assert "Led by me" in page and "I help on this" in page
    assert "Not mine at all" not in page.split("Cases without an alert")[0]
    assert "?mine=yes" in page
    listing = client.get(reverse("admin:cases_case_changelist") + "?mine=yes")
    assert listing.status_code == 200
    assert set(listing.context["cl"].result_list) == {led, helped}


def test_the_assigned_to_filter_finds_lead_and_collaborator_cases(client):
    me, colleague = make_staff("case-officer"), make_staff("case-officer")
    led = make_case(lead_officer=colleague)
    helped = make_case()
    helped.collaborators.add(colleague)
    make_case(lead_officer=me)
    log_in(client, me)
    url = reverse("admin:cases_case_changelist")
    listing = client.get(f"{url}?assigned={colleague.pk}")
    assert set(listing.context["cl"].result_list) == {led, helped}
    # A value that is no one's id lists nothing, and is not an error.
    assert client.get(f"{url}?assigned=nobody").context["cl"].result_count == 0


def test_a_case_officer_assigns_a_lead_officer_and_collaborators_on_the_case_page(client):
    me, colleague, other = (make_staff("case-officer") for _ in range(3))
    case = make_case(lead_officer=None)
    log_in(client, me)
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    # Chosen from the staff, by name: no autocomplete that officers may not query.
    assert f'value="{colleague.pk}"' in body and 'name="collaborators"' in body
    data = form_data(page)
    data.update(lead_officer=str(colleague.pk), collaborators=[str(me.pk), str(other.pk)])
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    case.refresh_from_db()
    assert case.lead_officer == colleague
    assert set(case.collaborators.all()) == {me, other}
    # The history keeps who was assigned.
    assert case.history.first().collaborators.count() == 2


def test_only_active_staff_can_be_assigned(client):
    me = make_staff("case-officer")
    former = make_staff("case-officer")
    former.is_active = False
    former.save()
    log_in(client, me)
    page = client.get(reverse("admin:cases_case_add"))
    field = page.context["adminform"].form.fields["lead_officer"]
    assert me in field.queryset and former not in field.queryset


def test_it_says_so_when_i_have_no_case_no_reminder_and_nothing_overdue(client):
    log_in(client, make_staff("case-officer"))
    page = _dashboard(client)
    assert "You lead no case and collaborate on none." in page
    assert "No case of yours has a follow-up due." in page
    assert "No recommendation of yours has a follow-up due." in page
    assert "No recommendation of your cases is overdue." in page


def test_it_shows_the_overdue_recommendations_of_my_cases_only(client):
    me, colleague = make_staff("case-officer"), make_staff("case-officer")
    mine = make_case(lead_officer=me)
    theirs = make_case(lead_officer=colleague)
    make_recommendation(mine, text="Mine is overdue", issued_on=datetime.date(2020, 1, 1))
    make_recommendation(theirs, text="Theirs is overdue", issued_on=datetime.date(2020, 1, 1))
    log_in(client, me)
    page = _dashboard(client)
    mine_panel = page.split("My overdue recommendations")[1].split("</div>")[0]
    assert "Mine is overdue" in mine_panel and "Theirs is overdue" not in mine_panel
    listing = client.get(reverse("admin:cases_recommendation_changelist") + "?overdue=yes&mine=yes")
    assert [r.text for r in listing.context["cl"].result_list] == ["Mine is overdue"]


def test_a_publisher_reviews_what_others_asked_to_publish(client):
    publisher, officer = make_staff("publisher"), make_staff("case-officer")
    asked = make_case(title="Asked by the officer", published=False)
    own = make_case(title="Asked by the publisher", published=False)
    request_publication(asked, officer)
    PublicationRequest.objects.create(
        content_type=PublicationRequest.objects.of(asked).get().content_type,
        object_id=own.pk,
        requested_by=publisher,
    )
    log_in(client, publisher)
    page = _dashboard(client)
    review = page.split("For me to review")[1].split("</div>")[0]
    assert "Asked by the officer" in review and "Asked by the publisher" not in review
    listing = client.get(reverse("admin:cases_publicationrequest_changelist") + "?for_me=yes")
    assert [r.object_id for r in listing.context["cl"].result_list] == [asked.pk]


def test_a_case_officer_has_nothing_to_review(client):
    officer = make_staff("case-officer")
    request_publication(make_case(published=False), make_staff("case-officer"))
    log_in(client, officer)
    assert "For me to review" not in _dashboard(client)


def _my_work(me, n):
    officer = make_staff("case-officer")
    for i in range(n):
        case = make_case(title=f"My case {i}", lead_officer=me, published=False, follow_up_on=TODAY)
        make_recommendation(
            case, issued_on=datetime.date(2020, 1, 1), follow_up_on=TODAY, follow_up_note="Ask"
        )
        request_publication(case, officer)
        request_publication(make_alert(case, published=False), officer)


def test_the_dashboard_of_a_publisher_costs_the_same_whatever_the_work(
    client, django_assert_num_queries
):
    publisher = make_staff("publisher")
    _my_work(publisher, 2)
    log_in(client, publisher)
    client.get(reverse("admin:index"))  # warm the content-type cache
    # The case officer's 19 (see test_dashboard), and the two publication panels: one query
    # each for the requests and one per kind of record they name (cases, alerts).
    with django_assert_num_queries(25):
        client.get(reverse("admin:index"))
    _my_work(publisher, 4)
    with django_assert_num_queries(25):
        page = client.get(reverse("admin:index")).content.decode()
    assert page.count(">My case ") >= 6


# --- Reminders ---------------------------------------------------------------------------------


def test_reminders_are_due_on_their_day_and_after_for_the_people_of_the_case():
    me, colleague = make_staff("case-officer"), make_staff("case-officer")
    due_today = make_case(lead_officer=me, follow_up_on=TODAY)
    overdue = make_case(follow_up_on=TODAY - datetime.timedelta(days=3))
    overdue.collaborators.add(me)
    make_case(lead_officer=me, follow_up_on=TODAY + datetime.timedelta(days=1))  # not yet
    make_case(lead_officer=colleague, follow_up_on=TODAY)  # someone else's
    everyone = make_case(lead_officer=None, follow_up_on=TODAY)  # nobody assigned: everyone's
    make_case(lead_officer=me)  # no reminder
    assert set(Case.objects.due_reminders(me, TODAY)) == {due_today, overdue, everyone}
    assert set(Case.objects.due_reminders(colleague, TODAY)) == {
        Case.objects.get(lead_officer=colleague),
        everyone,
    }


def test_a_recommendation_reminder_goes_to_the_people_of_its_case():
    me, colleague = make_staff("case-officer"), make_staff("case-officer")
    mine = make_recommendation(make_case(lead_officer=me), follow_up_on=TODAY)
    make_recommendation(make_case(lead_officer=colleague), follow_up_on=TODAY)
    unassigned = make_recommendation(make_case(lead_officer=None), follow_up_on=TODAY)
    make_recommendation(make_case(lead_officer=me), follow_up_on=TODAY + datetime.timedelta(1))
    assert set(Recommendation.objects.due_reminders(me, TODAY)) == {mine, unassigned}


def test_the_dashboard_shows_due_reminders_with_their_note(client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 10, 12, 0), tick=False)
    me = make_staff("case-officer")
    make_case(title="Call the lawyer", lead_officer=me, follow_up_on=TODAY, follow_up_note="Ring")
    make_case(title="Later", lead_officer=me, follow_up_on=TODAY + datetime.timedelta(days=5))
    make_recommendation(
        make_case(lead_officer=me),
        text="Ask the ministry",
        follow_up_on=TODAY - datetime.timedelta(days=1),
        follow_up_note="ask the ministry again",
    )
    log_in(client, me)
    page = _dashboard(client)
    cases_panel = page.split("Cases to follow up")[1].split("</div>")[0]
    assert "Call the lawyer" in cases_panel and "Ring" in cases_panel
    assert "Later" not in cases_panel
    recs = page.split("Recommendations to follow up")[1].split("</div>")[0]
    assert "Ask the ministry" in recs and "ask the ministry again" in recs
    listing = client.get(reverse("admin:cases_case_changelist") + "?follow_up=due")
    assert [c.title for c in listing.context["cl"].result_list] == ["Call the lawyer"]
    listing = client.get(reverse("admin:cases_recommendation_changelist") + "?follow_up=due")
    assert listing.context["cl"].result_count == 1
