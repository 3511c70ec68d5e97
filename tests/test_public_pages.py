"""The minimal public site: the case list, the case page with its timeline, appeal pages."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Alert, Case, RecommendationStatus

from .factories import (
    make_alert,
    make_appeal,
    make_case,
    make_citation,
    make_defender,
    make_recommendation,
    make_source,
    make_update,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db

MARKER = "CONFIDENTIAL-MARKER-7f3a"


def test_the_jardemalie_page_shows_its_timeline_and_sources(client, jardemalie):
    response = client.get(jardemalie.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 October 2019" in page
    assert "Her brother Iskander Yerimbetov arrested in Kazakhstan" in page
    assert "The sources disagree" in page
    assert "a magistrate and a member of the anti-corruption services" in page
    assert "KAZ 001 / 0720 / OBS 086" in page
    assert "Partially implemented" in page or "partially implemented" in page
    assert 'id="source-1"' in page and 'href="#source-1"' in page
    assert "first statement in our records" not in page  # the case's internal note


def test_the_jardemalie_page_uses_the_same_fixed_number_of_queries(
    client, jardemalie, django_assert_num_queries
):
    with django_assert_num_queries(12):  # and the page cache's generation
        assert client.get(jardemalie.get_absolute_url()).status_code == 200


def test_the_timeline_is_in_date_order(client, jardemalie):
    page = client.get(jardemalie.get_absolute_url()).content.decode()
    positions = [page.index(f'id="alert-{a.pk}"') for a in Alert.objects.published()]
    assert positions == sorted(positions)


def test_the_case_page_uses_a_fixed_number_of_queries(client, django_assert_num_queries):
    case = make_case()
    make_defender(case)
    make_defender(case, role="relative")
    source = make_source()
    for _ in range(2):
        alert = make_alert(case)
        make_citation(source=source, alert=alert)
        make_citation(alert=alert)
        make_appeal(case, **published_appeal_fields())
        recommendation = make_recommendation(case)
        update = make_update(recommendation, "committed", datetime.date(2021, 1, 1))
        make_citation(recommendation_update=update)
    with django_assert_num_queries(12):  # and the page cache's generation
        assert client.get(case.get_absolute_url()).status_code == 200
    # Twice as many of everything: still the same number of queries.
    for _ in range(2):
        alert = make_alert(case)
        make_citation(alert=alert)
        make_appeal(case, **published_appeal_fields())
        make_update(make_recommendation(case), "partial", datetime.date(2022, 1, 1))
    with django_assert_num_queries(12):  # and the page cache's generation
        assert client.get(case.get_absolute_url()).status_code == 200


def test_the_case_page_shows_nothing_internal(client):
    case = make_case(internal_notes=MARKER, risk_level=Case.RiskLevel.CRITICAL)
    make_defender(case, contact_details=MARKER, internal_notes=MARKER)
    make_defender(case, name=MARKER, public_name="A pseudonym", identity_protected=True)
    alert = make_alert(case, internal_notes=MARKER)
    make_citation(source=make_source(is_public=False, title=MARKER), alert=alert)
    make_alert(case, published=False, title=MARKER)
    make_appeal(case, title=MARKER)  # a draft
    make_appeal(case, internal_notes=MARKER, **published_appeal_fields())
    page = client.get(case.get_absolute_url()).content.decode()
    assert MARKER not in page
    assert "A pseudonym" in page


def test_unpublished_things_are_not_found(client):
    draft_case = make_case(published=False)
    assert client.get(draft_case.get_absolute_url()).status_code == 404
    draft_appeal = make_appeal(make_case())
    assert client.get(draft_appeal.get_absolute_url()).status_code == 404
    hidden_by_case = make_appeal(draft_case, **published_appeal_fields())
    assert client.get(hidden_by_case.get_absolute_url()).status_code == 404
    assert client.get("/cases/no-such-case/").status_code == 404


def test_the_case_list_shows_published_cases_only(client):
    make_case(title="A published case")
    make_case(title=MARKER, published=False)
    page = client.get(reverse("cases:case_list")).content.decode()
    assert "A published case" in page and MARKER not in page


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "9" * 500])
def test_the_case_list_survives_bad_page_numbers(client, page):
    make_case()
    assert client.get(reverse("cases:case_list"), {"page": page}).status_code == 200


def test_the_case_list_is_paginated(client, django_assert_num_queries):
    for _ in range(25):
        make_defender(make_case())
    # One count per filter (six), the total, the page, the defenders of the page.
    with django_assert_num_queries(10):  # and the page cache's generation
        response = client.get(reverse("cases:case_list"))
    assert len(response.context["page"].object_list) == 20
    assert "Page 1 of 2" in response.content.decode()


def test_the_appeal_page_lists_actions_addressees_and_chain(client, jardemalie):
    from cases.models import Addressee, Appeal, Authority, RequestedAction

    root = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    authority = Authority.objects.get(office_holder="Koen Geens")
    Addressee.objects.create(appeal=root, authority=authority)
    RequestedAction.objects.create(
        appeal=root, position=1, text="Return the files.", target_state="BE"
    )
    follow_up = make_appeal(
        jardemalie,
        kind=Appeal.Kind.FOLLOW_UP,
        parent=root,
        follow_up_number=1,
        reference_code="KAZ 001 / 0720 / OBS 086.1",
        title="New information",
        **published_appeal_fields(datetime.date(2026, 1, 10)),
    )
    page = client.get(root.get_absolute_url()).content.decode()
    assert "Take action" in page and "Dear Minister," in page and "Return the files." in page
    assert follow_up.get_absolute_url() in page
    assert client.get(follow_up.get_absolute_url()).status_code == 200


def test_the_home_page_lists_latest_cases_and_appeals(client, jardemalie):
    page = client.get("/").content.decode()
    assert jardemalie.title in page
    assert "KAZ 001 / 0720 / OBS 086" in page


def test_an_empty_site_says_so(client):
    assert "No case has been published yet." in client.get("/").content.decode()
    assert "No case has been published yet." in client.get("/cases/").content.decode()


def test_recommendation_status_is_shown_from_the_latest_update(client):
    case = make_case()
    recommendation = make_recommendation(case, text="Stop transmitting files.")
    make_update(recommendation, RecommendationStatus.COMMITTED, datetime.date(2020, 1, 1))
    make_update(recommendation, RecommendationStatus.NOT_IMPLEMENTED, datetime.date(2021, 1, 1))
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'class="status status-not_implemented">not implemented' in page
