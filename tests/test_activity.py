"""A case's activity log, built from the history, and publishing in "Recent actions"."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from cases import services
from cases.models import Case, Source
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_citation,
    make_recommendation,
    make_source,
    make_staff,
    make_update,
)

pytestmark = pytest.mark.django_db


def _as(obj, user):
    obj._history_user = user
    return obj


def _activity(client, case, page=None):
    url = reverse("admin:cases_case_activity", args=[case.pk])
    return client.get(url + (f"?p={page}" if page else ""))


def _story(officer):
    case = _as(make_case(title="The case", internal_notes="first note"), officer)
    alert = make_alert(case, title="A search")
    make_citation(source=make_source(title="Le Soir"), alert=alert, quoted_passage="Quoted")
    recommendation = make_recommendation(case, text="Stop the cooperation")
    make_update(recommendation, "committed", recommendation.issued_on)
    _as(alert, officer)
    alert.title = "A search of her home"
    alert.save()
    return case


def test_it_lists_every_change_to_the_case_and_its_parts_newest_first(client):
    officer = make_staff("case-officer")
    case = _story(officer)
    log_in(client, officer)
    response = _activity(client, case)
    assert response.status_code == 200
    entries = response.context["page"].object_list
    kinds = [entry.model.__name__ for entry in entries]
    for kind in ("Case", "Alert", "Citation", "Source", "Recommendation", "RecommendationUpdate"):
        assert kind in kinds
    assert entries[0].model.__name__ == "Alert" and entries[0].changed == ["headline (English)"]
    assert entries[0].who == officer
    dates = [entry.when for entry in entries]
    assert dates == sorted(dates, reverse=True)
    page = response.content.decode()
    assert "A search of her home" in page and "headline" in page
    # The case's page links to it.
    change = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert reverse("admin:cases_case_activity", args=[case.pk]) in change


def test_a_contributor_sees_neither_confidential_values_nor_their_field_names(client):
    officer, contributor = make_staff("case-officer"), make_staff("contributor")
    case = _story(officer)
    case = Case.objects.get(pk=case.pk)
    case.internal_notes = "The witness lives at 12 Rue X"
    case.save()
    private = make_source(title="Witness statement of Y", is_public=False)
    make_citation(source=private, alert=case.alerts.get(), quoted_passage="Only Y saw the two men")
    log_in(client, contributor)
    response = _activity(client, case)
    assert response.status_code == 200
    page = response.content.decode()
    for secret in ("12 Rue X", "internal notes", "Witness statement of Y", "Only Y saw"):
        assert secret not in page
    entries = response.context["page"].object_list
    latest_case_change = next(e for e in entries if e.model is Case)
    assert latest_case_change.changed == ["(confidential)"]
    # Not even that the case cites a private source, nor its citation.
    assert not [e for e in entries if e.model is Source and e.record.id == private.pk]
    assert "Private source" not in page
    # The case officer sees which field changed.
    log_in(client, officer)
    page = _activity(client, case).content.decode()
    assert "internal notes" in page and "Witness statement of Y" in page


def _edited_alerts(case, n):
    for i in range(n):
        alert = make_alert(case, title=f"Alert {i}")
        alert.title = f"Alert {i}, corrected"
        alert.save()
    case = Case.objects.get(pk=case.pk)
    case.summary += " Updated."
    case.save()


def test_it_is_paginated_and_costs_the_same_whatever_the_length(
    client, django_assert_max_num_queries
):
    officer = make_staff("case-officer")
    log_in(client, officer)

    def page_queries(case):
        with django_assert_max_num_queries(100) as captured:
            assert _activity(client, case).status_code == 200
        return len(captured.captured_queries)

    short, long = make_case(), make_case()
    _edited_alerts(short, 2)
    _edited_alerts(long, 40)
    page_queries(short)  # warm the content-type cache
    assert page_queries(short) == page_queries(long)
    first = _activity(client, long).context["page"]
    assert len(first.object_list) == 50 and first.has_next()
    assert first.object_list[0].model is Case  # the latest change
    second = _activity(client, long, page=2).context["page"]
    assert len(second.object_list) == first.paginator.count - 50 == 82 - 50
    # A page that is no page shows the nearest one, not an error.
    assert _activity(client, long, page="x").status_code == 200
    assert _activity(client, long, page="99").context["page"].number == 2


def test_only_staff_who_may_view_the_case_open_it(client):
    from django.contrib.auth.models import User

    case = make_case()
    nobody = User.objects.create_user("nobody", password="a long test password", is_staff=True)
    log_in(client, nobody)
    assert _activity(client, case).status_code == 403
    log_in(client, make_staff("case-officer"))
    url = reverse("admin:cases_case_activity", args=[999999])
    assert client.get(url).status_code == 404


def test_publishing_is_recorded_in_recent_actions(client):
    publisher = make_staff("publisher")
    case = make_case(title="Published by the service", published=False)
    services.publish_case(case, publisher)
    alert = make_alert(case, published=False)
    services.publish_alert(alert, publisher)
    services.unpublish_alert(alert, publisher)
    entries = LogEntry.objects.filter(user=publisher).order_by("action_time", "id")
    assert [e.change_message for e in entries] == ["Published", "Published", "Unpublished"]
    assert entries[0].object_repr == "Published by the service"
    log_in(client, publisher)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Published by the service" in page.split("Recent actions")[1]


def test_a_private_source_is_named_in_recent_actions_as_its_publisher_may_see_it():
    publisher = make_staff("publisher")
    source = make_source(title="Named source", is_public=False)
    services.publish_source(source, publisher)
    assert LogEntry.objects.get(user=publisher).object_repr.startswith("Named source")
