"""Every change is recorded with who, when and what; any version can be brought back."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import services
from cases.models import Alert, Appeal, Case, Citation, ViolationType
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_citation,
    make_source,
    make_staff,
    make_urgent_appeal,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_staff("case-officer", full_name="Olga Officer")


def _change(client, obj, **changes):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_it_records_an_admin_change_with_user_and_fields(client, officer):
    alert = make_alert(make_case(), title="Search of her home")
    log_in(client, officer)
    assert _change(client, alert, title_en="Search of her Brussels home").status_code == 302
    latest = alert.history.order_by("-history_date").first()
    assert latest.history_user == officer
    assert latest.history_type == "~"
    changed = latest.diff_against(latest.prev_record).changed_fields
    assert "title_en" in changed and "description_en" not in changed
    page = client.get(reverse("admin:cases_alert_history", args=[alert.pk])).content.decode()
    assert "Search of her home" in page and "Search of her Brussels home" in page
    assert "Olga Officer" in page or officer.username in page


def test_it_records_changes_made_by_services_and_commands(officer):
    appeal = make_urgent_appeal(make_case(), officer)
    services.submit_for_review(appeal, officer)
    record = appeal.history.order_by("-history_date").first()
    assert (record.history_user, record.state) == (officer, "in_review")
    assert record.history_change_reason == "Submitted for review"

    call_command("loaddata", "vocabularies", verbosity=0)
    call_command("record_history_baseline", verbosity=0)
    assert ViolationType.history.count() == ViolationType.objects.count() > 0


def test_it_records_a_delete_with_the_user(client, officer):
    alert = make_alert(make_case())
    log_in(client, officer)
    url = reverse("admin:cases_alert_delete", args=[alert.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    deletion = Alert.history.get(id=alert.pk, history_type="-")
    assert deletion.history_user == officer


def test_a_revert_restores_fields_links_and_inline_parts(client, officer):
    case = make_case()
    source, other_source = make_source(), make_source()
    alert = make_alert(case, title="Original title")
    citation = make_citation(source, alert=alert, quoted_passage="as first quoted")
    log_in(client, officer)
    original = alert.history.order_by("-history_date").first()

    # An edit through the admin: new title, the citation rewritten, a second citation added.
    data = form_data(client.get(reverse("admin:cases_alert_change", args=[alert.pk])))
    data.update({"title_en": "Edited title", "citations-0-quoted_passage": "rewritten"})
    data.update(
        {
            "citations-TOTAL_FORMS": "3",
            "citations-2-source": str(other_source.pk),
            "citations-2-quoted_passage": "added later",
            "citations-2-position": "2",
        }
    )
    response = client.post(reverse("admin:cases_alert_change", args=[alert.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Citation.objects.filter(alert=alert).count() == 2

    url = reverse("admin:cases_alert_simple_history", args=[alert.pk, original.history_id])
    confirmation = client.get(url).content.decode()
    assert "Edited title" in confirmation and "added later" in confirmation
    assert client.post(url).status_code == 302

    alert.refresh_from_db()
    assert alert.title == "Original title"
    assert [c.quoted_passage for c in Citation.objects.filter(alert=alert)] == ["as first quoted"]
    assert Citation.objects.get(pk=citation.pk).quoted_passage == "as first quoted"
    latest = alert.history.order_by("-history_date").first()
    assert latest.history_user == officer
    assert latest.history_change_reason.startswith("Reverted to the version of")


def test_a_revert_restores_many_to_many_links(client, officer):
    case = make_case()
    first = ViolationType.objects.create(name="Judicial harassment", slug="jh")
    second = ViolationType.objects.create(name="Surveillance", slug="surveillance")
    case.violation_types.set([first])
    original = case.history.order_by("-history_date").first()
    case.violation_types.set([second])
    log_in(client, make_staff("publisher"))
    url = reverse("admin:cases_case_simple_history", args=[case.pk, original.history_id])
    assert client.post(url).status_code == 302
    assert list(case.violation_types.all()) == [first]


def test_a_revert_never_publishes_or_unpublishes(client, officer):
    case = make_case(published=False)
    draft = case.history.order_by("-history_date").first()
    publisher = make_staff("publisher")
    services.publish_case(case, publisher)
    log_in(client, publisher)
    url = reverse("admin:cases_case_simple_history", args=[case.pk, draft.history_id])
    client.post(url)
    assert Case.objects.get(pk=case.pk).is_published()


def test_a_deleted_record_is_restored_unpublished_with_its_parts(client, officer):
    alert = make_alert(make_case(), title="Deleted by mistake")
    make_citation(make_source(), alert=alert, quoted_passage="the quote")
    log_in(client, officer)
    client.post(reverse("admin:cases_alert_delete", args=[alert.pk]), {"post": "yes"})
    assert not Alert.objects.filter(pk=alert.pk).exists()

    listing = client.get(reverse("admin:cases_alert_deleted")).content.decode()
    assert "Deleted by mistake" in listing
    deletion = Alert.history.get(id=alert.pk, history_type="-")
    url = reverse("admin:cases_alert_simple_history", args=[alert.pk, deletion.history_id])
    assert client.post(url).status_code == 302
    restored = Alert.objects.get(pk=alert.pk)
    assert restored.title == "Deleted by mistake" and restored.published_at is None
    assert [c.quoted_passage for c in restored.citations.all()] == ["the quote"]
    assert client.get(reverse("admin:cases_alert_deleted")).context["records"] == []


def test_a_case_officer_cannot_revert_a_published_appeal(client, officer):
    publisher = make_staff("publisher")
    appeal = make_urgent_appeal(make_case(), officer)
    first = appeal.history.order_by("-history_date").first()
    services.submit_for_review(appeal, officer)
    publish(appeal, publisher)
    log_in(client, officer)
    url = reverse("admin:cases_appeal_simple_history", args=[appeal.pk, first.history_id])
    assert client.post(url).status_code == 403
    assert Appeal.objects.get(pk=appeal.pk).state == "published"


def test_the_history_page_lists_changes_to_parts(client, officer):
    alert = make_alert(make_case())
    make_citation(make_source(title="Le Soir article"), alert=alert)
    log_in(client, officer)
    page = client.get(reverse("admin:cases_alert_history", args=[alert.pk])).content.decode()
    assert "Changes to its parts" in page and "Le Soir article" in page
