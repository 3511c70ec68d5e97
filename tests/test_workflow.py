"""The appeal workflow: each step is a service; the admin buttons call it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import services
from cases.models import Alert, Appeal, Recommendation
from tests.factories import (
    log_in,
    make_appeal,
    make_case,
    make_organisation,
    make_staff,
    make_urgent_appeal,
    publish,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 22)


@pytest.fixture
def officer():
    return make_staff("case-officer", full_name="Olga Officer")


@pytest.fixture
def publisher():
    return make_staff("publisher", full_name="Pia Publisher")


@pytest.fixture
def appeal_in_review(officer):
    case = make_case(state_of_concern="KZ")
    appeal = make_urgent_appeal(case, officer)
    services.submit_for_review(appeal, officer)
    appeal.refresh_from_db()
    return appeal


def test_it_submits_a_draft_for_review(officer):
    appeal = make_urgent_appeal(make_case(), officer)
    services.submit_for_review(appeal, officer)
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.IN_REVIEW


def test_it_publishes_with_code_recommendations_and_a_timeline_alert(appeal_in_review, publisher):
    publish(appeal_in_review, publisher, today=ON)
    appeal = Appeal.objects.get(pk=appeal_in_review.pk)
    assert appeal.state == Appeal.State.PUBLISHED
    assert appeal.reference_code == "KAZ 001 / 1126 / OBS 001"
    assert (appeal.published_by, appeal.reviewer) == (publisher, publisher)
    assert appeal.published_at is not None and appeal.date == ON
    (recommendation,) = Recommendation.objects.filter(appeal=appeal)
    assert recommendation.text == "Release her."
    assert recommendation.current_status == "pending"
    assert recommendation.target_state.code == "BE"
    assert recommendation.target_authority is not None
    assert recommendation.requested_action == appeal.requested_actions.get()
    (alert,) = Alert.objects.filter(appeal=appeal)
    assert alert.is_published() and alert.date == ON
    assert "KAZ 001 / 1126 / OBS 001" in alert.title


def test_it_takes_the_next_running_number_of_the_year(officer, publisher):
    earlier = make_appeal(make_case(), **published_appeal_fields(ON), reference_code="X")
    earlier.code_year, earlier.code_number = ON.year, 41
    earlier.save()
    appeal = make_urgent_appeal(make_case(state_of_concern="BY"), officer)
    services.submit_for_review(appeal, officer)
    publish(appeal, publisher, today=ON)
    appeal.refresh_from_db()
    assert appeal.reference_code == "BLR 001 / 1126 / OBS 042"


def test_it_rolls_everything_back_when_a_step_fails(appeal_in_review, publisher, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("the timeline could not be written")

    monkeypatch.setattr(Alert, "save", broken_save)
    with pytest.raises(RuntimeError):
        publish(appeal_in_review, publisher, today=ON)
    appeal = Appeal.objects.get(pk=appeal_in_review.pk)
    assert appeal.state == Appeal.State.IN_REVIEW
    assert appeal.reference_code == "" and appeal.code_number is None
    assert appeal.published_at is None
    assert not Recommendation.objects.filter(appeal=appeal).exists()
    assert appeal.case.country_number is None


def test_it_refuses_an_urgent_appeal_without_requested_action_or_addressee(officer, publisher):
    appeal = make_appeal(make_case(), author=officer, state=Appeal.State.IN_REVIEW)
    with pytest.raises(services.WorkflowError) as error:
        publish(appeal, publisher)
    assert "requested action" in str(error.value) and "addressee" in str(error.value)
    assert Appeal.objects.get(pk=appeal.pk).state == Appeal.State.IN_REVIEW


def test_it_refuses_to_publish_in_an_unpublished_case(officer, publisher):
    appeal = make_urgent_appeal(make_case(published=False), officer, state="in_review")
    with pytest.raises(services.WorkflowError, match="case is not published"):
        publish(appeal, publisher)


def test_it_rejects_publishing_own_appeal(publisher):
    appeal = make_urgent_appeal(make_case(), publisher, state=Appeal.State.IN_REVIEW)
    with pytest.raises(services.WorkflowError, match="another publisher"):
        publish(appeal, publisher)


def test_a_case_officer_cannot_publish(appeal_in_review):
    other_officer = make_staff("case-officer")
    with pytest.raises(PermissionDenied):
        publish(appeal_in_review, other_officer)


def test_only_a_published_appeal_takes_a_follow_up(appeal_in_review, officer):
    with pytest.raises(services.WorkflowError, match="Only a published appeal takes a follow-up"):
        services.create_follow_up(appeal_in_review, officer)


def test_it_refuses_to_publish_a_draft(officer, publisher):
    appeal = make_urgent_appeal(make_case(), officer)
    with pytest.raises(services.WorkflowError, match="in review"):
        publish(appeal, publisher)


def test_follow_ups_are_numbered_in_their_chain(appeal_in_review, officer, publisher):
    publish(appeal_in_review, publisher, today=ON)
    root = Appeal.objects.get(pk=appeal_in_review.pk)
    codes = []
    for _ in range(2):
        follow_up = services.create_follow_up(root, officer)
        follow_up.body = "New information."
        follow_up.save()
        services.submit_for_review(follow_up, officer)
        publish(follow_up, publisher, today=ON)
        follow_up.refresh_from_db()
        codes.append(follow_up.reference_code)
    assert codes == [f"{root.reference_code}.1", f"{root.reference_code}.2"]


def test_a_follow_up_copies_case_addressees_and_violation_types(
    appeal_in_review, officer, publisher
):
    from cases.models import ViolationType

    violation = ViolationType.objects.create(name="Judicial harassment", slug="jh")
    appeal_in_review.violation_types.add(violation)
    appeal_in_review.co_signers.add(make_organisation())
    publish(appeal_in_review, publisher, today=ON)
    follow_up = services.create_follow_up(appeal_in_review, officer)
    assert follow_up.parent == appeal_in_review and follow_up.kind == Appeal.Kind.FOLLOW_UP
    assert follow_up.case == appeal_in_review.case
    assert follow_up.state == Appeal.State.DRAFT and follow_up.author == officer
    assert list(follow_up.violation_types.all()) == [violation]
    assert [a.authority for a in follow_up.addressees.all()] == [
        a.authority for a in appeal_in_review.addressees.all()
    ]
    assert follow_up.co_signers.count() == 1


def test_withdrawing_hides_the_appeal_and_closes_its_recommendations(
    appeal_in_review, publisher, client
):
    publish(appeal_in_review, publisher, today=ON)
    url = reverse("cases:appeal_detail", args=[appeal_in_review.pk])
    assert client.get(url).status_code == 200
    with pytest.raises(services.WorkflowError, match="why"):
        services.withdraw_appeal(appeal_in_review, publisher, "  ")
    services.withdraw_appeal(appeal_in_review, publisher, "Published by mistake.")
    assert client.get(url).status_code == 404
    assert not Alert.objects.published().filter(appeal=appeal_in_review).exists()
    (recommendation,) = Recommendation.objects.filter(appeal=appeal_in_review)
    assert recommendation.current_status == "closed"


def test_a_correction_after_publication_is_shown_as_updated_on(appeal_in_review, publisher, client):
    publish(appeal_in_review, publisher, today=ON)
    log_in(client, publisher)
    change_url = reverse("admin:cases_appeal_change", args=[appeal_in_review.pk])
    form = client.get(change_url).context["adminform"].form
    data = _form_data(client.get(change_url))
    data["body_en"] = "Corrected text."
    response = client.post(change_url, data)
    assert response.status_code == 302, form.errors
    appeal = Appeal.objects.get(pk=appeal_in_review.pk)
    assert appeal.corrected_at is not None
    assert appeal.history.filter(history_change_reason="Correction after publication").exists()
    client.logout()
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert "updated on" in page and "Corrected text." in page


def test_a_case_officer_cannot_change_a_published_appeal(
    appeal_in_review, publisher, officer, client
):
    publish(appeal_in_review, publisher, today=ON)
    log_in(client, officer)
    change_url = reverse("admin:cases_appeal_change", args=[appeal_in_review.pk])
    data = _form_data(client.get(change_url))
    data["body_en"] = "Silently rewritten."
    assert client.post(change_url, data).status_code == 403
    assert Appeal.objects.get(pk=appeal_in_review.pk).body != "Silently rewritten."


def _form_data(response):
    """The data a browser would post back from an admin change form, inlines included."""
    from tests.admin_forms import form_data

    return form_data(response)


def test_the_longest_titles_fit_the_timeline_and_the_history(officer, publisher):
    appeal = make_urgent_appeal(make_case(), officer, title="T" * 300)
    services.submit_for_review(appeal, officer)
    publish(appeal, publisher, today=ON)
    follow_up = services.create_follow_up(appeal, officer)
    assert len(follow_up.title) == 300
    assert len(Alert.objects.get(appeal=appeal).title) == 200
    assert len(follow_up.history.get().history_change_reason) == 100
