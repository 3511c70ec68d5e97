"""
Nothing internal reaches a public page, feed or sitemap: a marker is planted in every
internal field and every unpublished record, then every public URL is read.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Addressee, Alias, Appeal, Case, RequestedAction

from .factories import (
    make_alert,
    make_appeal,
    make_authority,
    make_case,
    make_citation,
    make_defender,
    make_organisation,
    make_recommendation,
    make_source,
    make_update,
    published_appeal_fields,
    sitemap_urls,
)

pytestmark = pytest.mark.django_db


MARKER = "CONFIDENTIAL-MARKER-7f3a"


@pytest.fixture
def planted(django_user_model):
    staff = django_user_model.objects.create(
        username=MARKER, first_name=MARKER, email=f"{MARKER}@x"
    )
    case = make_case(
        slug="public-case",
        state_of_concern="KZ",
        other_states=["BE"],
        internal_notes=MARKER,
        risk_level=Case.RiskLevel.CRITICAL,
        lead_officer=staff,
    )
    make_defender(case, slug="public-defender", contact_details=MARKER, internal_notes=MARKER)
    protected = make_defender(
        case,
        name=MARKER,
        public_name="A pseudonym",
        slug=f"{MARKER.lower()}-slug",
        identity_protected=True,
    )
    Alias.objects.create(defender=protected, name=f"{MARKER} alias", kind=Alias.Kind.SPELLING)
    private_source = make_source(is_public=False, title=MARKER, internal_notes=MARKER)
    public_source = make_source(title="A public source", internal_notes=MARKER)
    alert = make_alert(case, internal_notes=MARKER)
    make_citation(source=private_source, alert=alert, quoted_passage=MARKER)
    make_citation(source=public_source, alert=alert)
    make_alert(case, published=False, title=MARKER, description=MARKER)
    # A public source cited only by a draft alert could announce what is not yet published.
    make_citation(
        source=make_source(title=f"{MARKER} public but only in a draft"),
        alert=make_alert(case, published=False),
    )
    issuer = make_organisation(acronym="OIAD")
    published = make_appeal(
        case, issuer=issuer, internal_notes=MARKER, author=staff, **published_appeal_fields()
    )
    RequestedAction.objects.create(appeal=published, text="Return the files.", target_state="BE")
    Addressee.objects.create(
        appeal=published, authority=make_authority(salutation="Dear Minister,")
    )
    make_appeal(case, title=MARKER, body=MARKER)  # a draft
    make_appeal(
        case,
        title=MARKER,
        **{
            **published_appeal_fields(),
            "state": Appeal.State.WITHDRAWN,
            "withdrawn_at": timezone.now(),
            "withdrawal_reason": MARKER,
        },
    )
    recommendation = make_recommendation(
        case, issuer=issuer, source=private_source, appeal=published
    )
    update = make_update(recommendation, "committed", datetime.date(2021, 1, 1), recorded_by=staff)
    make_citation(source=private_source, recommendation_update=update, quoted_passage=MARKER)
    draft_case = make_case(
        published=False, title=MARKER, summary=MARKER, slug="draft-case", state_of_concern="KZ"
    )
    case.related_cases.add(draft_case)
    make_defender(draft_case, public_name=MARKER)
    make_alert(draft_case, title=MARKER)
    make_appeal(draft_case, title=MARKER, **published_appeal_fields())
    make_recommendation(draft_case, text=MARKER, target_state="KZ", issuer=issuer)
    return case, published


def _public_urls(case, appeal):
    return [
        "/",
        reverse("cases:case_list"),
        reverse("cases:case_list") + "?q=pseudonym",
        reverse("cases:case_list") + "?state=KZ&other_state=BE&year=2020",
        case.get_absolute_url(),
        reverse("cases:case_timeline_feed", args=[case.slug]),
        reverse("cases:case_appeal_feed", args=[case.slug]),
        reverse("cases:appeal_list"),
        reverse("cases:appeal_list") + "?state=KZ",
        reverse("cases:appeal_feed"),
        appeal.get_absolute_url(),
        reverse("cases:recommendation_list"),
        reverse("cases:recommendation_list") + "?state=KZ",
        reverse("cases:recommendation_list") + "?case=public-case&overdue=on",
        reverse("cases:defender_detail", args=["public-defender"]),
        reverse("cases:country_list"),
        reverse("cases:country_detail", args=["kz"]),
        reverse("cases:country_detail", args=["be"]),
        reverse("cases:country_appeal_feed", args=["kz"]),
        reverse("cases:source_list"),
        *sitemap_urls(),
        "/robots.txt",
        "/cases/draft-case/",
        "/no-such-page/",
    ]


def test_no_public_page_or_feed_shows_anything_internal(client, planted):
    case, appeal = planted
    for url in _public_urls(case, appeal):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        body = response.content.decode()
        assert MARKER not in body, url
        assert MARKER.lower() not in body, url
        assert "critical" not in body.lower(), url  # the risk level


def test_the_planted_pages_do_show_what_is_public(client, planted):
    case, appeal = planted
    page = client.get(case.get_absolute_url()).content.decode()
    assert "A pseudonym" in page and "A public source" in page
    appeal_page = client.get(appeal.get_absolute_url()).content.decode()
    assert "Dear Minister," in appeal_page and "Return the files." in appeal_page
    tracker = client.get(reverse("cases:recommendation_list")).content.decode()
    assert 'class="status status-committed"' in tracker
    assert appeal.get_absolute_url() in tracker  # a published appeal is linked


def test_unpublished_records_are_not_found_on_every_public_url(client, planted):
    draft_appeal = Appeal.objects.filter(title=MARKER, state=Appeal.State.DRAFT).get()
    withdrawn = Appeal.objects.get(state=Appeal.State.WITHDRAWN)
    of_draft_case = Appeal.objects.filter(case__slug="draft-case").get()
    for url in (
        draft_appeal.get_absolute_url(),
        withdrawn.get_absolute_url(),
        of_draft_case.get_absolute_url(),
        "/cases/draft-case/",
        reverse("cases:case_timeline_feed", args=["draft-case"]),
        reverse("cases:case_appeal_feed", args=["draft-case"]),
        reverse("cases:defender_detail", args=[f"{MARKER.lower()}-slug"]),
    ):
        assert client.get(url).status_code == 404, url
