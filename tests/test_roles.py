"""Who may do what in the staff workspace."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import ROLES
from cases.models import Appeal
from tests.admin_forms import publish_in_admin
from tests.factories import log_in, make_case, make_staff, make_urgent_appeal

pytestmark = pytest.mark.django_db


def test_the_migration_creates_the_three_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    publisher = Group.objects.get(name="Publisher")
    assert publisher.permissions.filter(codename="publish_appeal").exists()
    assert (
        not Group.objects.get(name="Case officer")
        .permissions.filter(codename__in=["publish_appeal", "publish_case"])
        .exists()
    )


def test_a_publisher_can_do_everything_a_case_officer_can():
    assert set(ROLES["Case officer"]) < set(ROLES["Publisher"])


def test_it_creates_a_staff_account_in_a_role(capsys):
    call_command("create_staff_account", "nadia", "--role", "case-officer", "--name", "Nadia K")
    out = capsys.readouterr().out
    assert "Case officer 'nadia' created" in out
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="nadia")
    assert user.is_staff and not user.is_superuser and user.get_full_name() == "Nadia K"
    assert user.has_perm("cases.add_alert") and not user.has_perm("cases.publish_appeal")
    password = out.rsplit(" ", 1)[-1].strip()
    assert user.check_password(password)


@pytest.fixture
def appeal_in_review():
    officer = make_staff("case-officer")
    appeal = make_urgent_appeal(make_case(), officer, state=Appeal.State.IN_REVIEW)
    return appeal


def _workflow_url(appeal, step):
    return reverse(f"admin:cases_appeal_{step}", args=[appeal.pk])


def test_anonymous_users_are_sent_to_login_from_every_staff_page(client, appeal_in_review):
    for step in ("preview", "submit", "return", "publish", "withdraw", "follow_up"):
        response = client.get(_workflow_url(appeal_in_review, step))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    response = client.get(reverse("admin:index"))
    assert reverse("admin:login") in response["Location"]


def test_a_case_officer_cannot_publish(client, appeal_in_review):
    log_in(client, make_staff("case-officer"))
    change = client.get(reverse("admin:cases_appeal_change", args=[appeal_in_review.pk]))
    assert "Review and publish" not in change.content.decode()
    assert client.get(_workflow_url(appeal_in_review, "publish")).status_code == 403
    assert client.post(_workflow_url(appeal_in_review, "publish")).status_code == 403
    assert Appeal.objects.get(pk=appeal_in_review.pk).state == Appeal.State.IN_REVIEW


def test_a_publisher_cannot_publish_an_appeal_they_wrote(client):
    publisher = make_staff("publisher")
    appeal = make_urgent_appeal(make_case(), publisher, state=Appeal.State.IN_REVIEW)
    log_in(client, publisher)
    change = client.get(reverse("admin:cases_appeal_change", args=[appeal.pk])).content.decode()
    assert "Review and publish" not in change and "four eyes" in change
    page = client.get(_workflow_url(appeal, "publish")).content.decode()
    assert "another publisher must publish it" in page
    response = client.post(_workflow_url(appeal, "publish"), follow=True)
    assert "another publisher" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).state == Appeal.State.IN_REVIEW


def test_a_publisher_publishes_through_the_admin(client, appeal_in_review):
    log_in(client, make_staff("publisher"))
    page = client.get(_workflow_url(appeal_in_review, "publish")).content.decode()
    assert "creates 1 pending recommendation" in page
    response = publish_in_admin(client, appeal_in_review)
    assert response.status_code == 302
    appeal = Appeal.objects.get(pk=appeal_in_review.pk)
    assert appeal.state == Appeal.State.PUBLISHED and appeal.reference_code


def test_workflow_steps_refuse_get(client, appeal_in_review):
    log_in(client, make_staff("publisher"))
    for step in ("submit", "return", "follow_up"):
        assert client.get(_workflow_url(appeal_in_review, step)).status_code == 405


def test_the_preview_shows_a_draft_to_staff_only(client):
    officer = make_staff("case-officer")
    appeal = make_urgent_appeal(make_case(), officer, title="Draft appeal title")
    assert client.get(reverse("cases:appeal_detail", args=[appeal.pk])).status_code == 404
    assert client.get(_workflow_url(appeal, "preview")).status_code == 302
    log_in(client, officer)
    response = client.get(_workflow_url(appeal, "preview"))
    assert response.status_code == 200
    assert "Draft appeal title" in response.content.decode()
    assert "Preview for staff" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_only_a_publisher_closes_or_publishes_a_case(client):
    from tests.admin_forms import form_data

    case = make_case(published=False)
    url = reverse("admin:cases_case_change", args=[case.pk])
    log_in(client, make_staff("case-officer"))
    data = form_data(client.get(url))
    assert "published_at" not in data
    data.update({"status": "closed", "closed_on": "2026-11-01", "closing_reason": "Released."})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only a publisher can close a case." in response.content.decode()
    changelist = reverse("admin:cases_case_changelist")
    client.post(
        changelist,
        {"action": "publication_publish", "_selected_action": [case.pk], "confirm": "yes"},
    )
    case.refresh_from_db()
    assert case.status == "open" and case.published_at is None

    log_in(client, make_staff("publisher"))
    client.post(
        changelist,
        {"action": "publication_publish", "_selected_action": [case.pk], "confirm": "yes"},
    )
    case.refresh_from_db()
    assert case.is_published()
    data = form_data(client.get(url))
    data.update({"status": "closed", "closed_on": "2026-11-01", "closing_reason": "Released."})
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.is_published()
