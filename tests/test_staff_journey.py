"""
The staff workspace end to end, through HTTP, as two people: a case officer logs the
16 December 2025 ruling with its source, records what it means for the recommendation it
concerns, drafts a follow-up in the Jardemalie chain; a publisher publishes it; readers see it.
"""

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Alert, Appeal, Recommendation, Source
from tests.admin_forms import form_data, publish_in_admin
from tests.factories import log_in, make_staff

pytestmark = pytest.mark.django_db


def test_a_ruling_is_logged_and_a_follow_up_published(jardemalie):
    # The demo already tells this part of the story; take it out so the officer can log it.
    Alert.objects.filter(case=jardemalie, date="2025-12-16").delete()
    officer, publisher = Client(), Client()
    olga = make_staff("case-officer", full_name="Olga Officer")
    log_in(officer, olga)
    log_in(publisher, make_staff("publisher", full_name="Pia Publisher"))
    fair_trials = Source.objects.get(url__contains="fairtrials.org")

    # 1. The officer logs the ruling as an alert, citing Fair Trials, from the case page link.
    add_alert = reverse("admin:cases_alert_add") + f"?case={jardemalie.pk}"
    data = form_data(officer.get(add_alert))
    assert data["case"] == str(jardemalie.pk)
    data.update(
        {
            "date": "2025-12-16",
            "kind": "court_ruling",
            "title_en": "Brussels Court of Appeal finds Kazakhstan's request politically motivated",
            "description_en": "The Indictment Division of the Brussels Court of Appeal finds that "
            "Kazakhstan's request for mutual legal assistance is politically motivated.",
            "country": "BE",
            "place": "Brussels",
            "verification": "reported",
            "published_at_0": "2025-12-17",
            "published_at_1": "09:00:00",
            "citations-0-source": str(fair_trials.pk),
            "citations-0-locator": "news article, December 2025",
        }
    )
    response = officer.post(add_alert, data)
    assert response.status_code == 302, response.context["errors"]
    alert = Alert.objects.get(case=jardemalie, date="2025-12-16")
    assert alert.citations.get().source == fair_trials
    assert list(alert.defenders.values_list("public_name", flat=True)) == ["Botagoz Jardemalie"]

    # 2. It is recorded as an update of the recommendation it concerns.
    recommendation = Recommendation.objects.get(text__startswith="Cease all transmission")
    add_update = reverse("admin:cases_recommendationupdate_add") + (
        f"?recommendation={recommendation.pk}"
    )
    data = form_data(officer.get(add_update))
    data.update(
        {
            "date": "2025-12-16",
            "status": "partial",
            "description_en": "The Indictment Division finds the Kazakh request politically "
            "motivated; the documents Kazakhstan already received are not said to be recovered.",
            "citations-0-source": str(fair_trials.pk),
        }
    )
    response = officer.post(add_update, data)
    assert response.status_code == 302, response.context["errors"]
    assert response["Location"] == reverse(
        "admin:cases_recommendation_change", args=[recommendation.pk]
    )
    update = recommendation.updates.get(date="2025-12-16")
    assert update.recorded_by == olga and update.citations.get().source == fair_trials
    assert Recommendation.objects.get(pk=recommendation.pk).last_update_on == (update.date)

    # 3. The officer drafts a follow-up in the chain of KAZ 001 / 0720 / OBS 086.
    original = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    response = officer.post(reverse("admin:cases_appeal_follow_up", args=[original.pk]))
    follow_up = Appeal.objects.get(parent=original)
    assert response["Location"] == reverse("admin:cases_appeal_change", args=[follow_up.pk])
    change = reverse("admin:cases_appeal_change", args=[follow_up.pk])
    data = form_data(officer.get(change))
    data.update(
        {
            "title_en": "Kazakhstan: Brussels court finds the request against Botagoz Jardemalie "
            "politically motivated",
            "body_en": "New information: on 16 December 2025 the Indictment Division of the "
            "Brussels Court of Appeal found Kazakhstan's legal-assistance request politically "
            "motivated.",
        }
    )
    assert officer.post(change, data).status_code == 302
    assert (
        officer.post(reverse("admin:cases_appeal_submit", args=[follow_up.pk])).status_code == 302
    )

    # 4. The publisher, who did not write it, publishes it.
    response = publish_in_admin(publisher, follow_up)
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.state == "published"
    assert follow_up.reference_code == "KAZ 001 / 0720 / OBS 086.1"

    # 5. Readers see it on the case page, with its code, and the ruling on the timeline.
    page = Client().get(jardemalie.get_absolute_url()).content.decode()
    assert "KAZ 001 / 0720 / OBS 086.1" in page
    assert "politically motivated" in page
    history = follow_up.history.order_by("history_date")
    assert [r.history_user.get_full_name() for r in history if r.history_user][-1] == (
        "Pia Publisher"
    )
