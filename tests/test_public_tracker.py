"""The recommendations tracker: per government in numbers, then a filterable list."""

import datetime

import pytest
from django.urls import reverse

from cases.models import RecommendationStatus

from .factories import (
    make_authority,
    make_case,
    make_citation,
    make_organisation,
    make_recommendation,
    make_source,
    make_update,
)

pytestmark = pytest.mark.django_db


TRACKER = reverse("cases:recommendation_list")
TODAY = datetime.date(2024, 12, 31)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings):
    settings.RECOMMENDATION_OVERDUE_DAYS = 90
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


@pytest.fixture
def recommendations():
    case = make_case(slug="the-case")
    oiad = make_organisation(acronym="OIAD")
    ministry = make_authority(name="Ministry of Justice")
    old = make_recommendation(
        case, text="Stop the transfers.", issuer=oiad, issued_on=datetime.date(2024, 1, 1)
    )
    recent = make_recommendation(
        case, text="Protect her.", issued_on=datetime.date(2024, 12, 1), target_authority=ministry
    )
    kept = make_recommendation(case, text="Return the files.", issued_on=datetime.date(2023, 1, 1))
    make_update(kept, RecommendationStatus.COMMITTED, datetime.date(2023, 6, 1))
    make_update(
        kept,
        RecommendationStatus.IMPLEMENTED,
        datetime.date(2024, 3, 1),
        description="The files were returned.",
    )
    kazakh = make_recommendation(
        case, text="Release him.", target_state="KZ", issued_on=datetime.date(2024, 11, 1)
    )
    make_update(kazakh, RecommendationStatus.NOT_IMPLEMENTED, datetime.date(2024, 12, 1))
    make_recommendation(make_case(published=False), text="Hidden draft.")
    return old, recent, kept, kazakh, oiad, ministry


def _texts(response):
    return sorted(r.text for r in response.context["page"].object_list)


def test_it_counts_per_government_by_status_and_overdue(client, recommendations):
    response = client.get(TRACKER)
    rows = {row["code"]: row for row in response.context["summary"]}
    assert set(rows) == {"BE", "KZ"}  # the draft case's recommendation is not counted
    belgium = rows["BE"]
    assert (belgium["pending"], belgium.get("implemented"), belgium["total"]) == (2, 1, 3)
    assert belgium["overdue"] == 1
    assert rows["KZ"]["not_implemented"] == 1 and rows["KZ"]["overdue"] == 0
    page = response.content.decode()
    assert '<th scope="row"><a href="/countries/be/">Belgium</a></th>' in page


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"state": "KZ"}, ["Release him."]),
        ({"status": "implemented"}, ["Return the files."]),
        ({"status": "pending"}, ["Protect her.", "Stop the transfers."]),
        ({"overdue": "on"}, ["Stop the transfers."]),
        ({"case": "the-case", "status": "not_implemented"}, ["Release him."]),
    ],
)
def test_it_filters_recommendations(client, recommendations, params, expected):
    assert _texts(client.get(TRACKER, params)) == expected


def test_it_filters_by_authority_and_issuer(client, recommendations):
    *_, oiad, ministry = recommendations
    assert _texts(client.get(TRACKER, {"authority": ministry.pk})) == ["Protect her."]
    assert _texts(client.get(TRACKER, {"issuer": oiad.pk})) == ["Stop the transfers."]


def test_it_shows_each_recommendation_with_its_dated_history_and_sources(client, recommendations):
    kept = recommendations[2]
    update = kept.updates.get(status=RecommendationStatus.IMPLEMENTED)
    make_citation(
        source=make_source(title="Ministry letter", url="https://example.org/letter"),
        recommendation_update=update,
    )
    page = client.get(TRACKER, {"status": "implemented"}).content.decode()
    assert '<time datetime="2023-06-01">1 June 2023</time>' in page
    assert "The files were returned." in page
    assert (
        '<a href="https://example.org/letter" rel="noopener noreferrer">Ministry letter</a>' in page
    )
    assert 'class="status status-overdue"' not in page


def test_it_marks_overdue_recommendations(client, recommendations):
    page = client.get(TRACKER, {"overdue": "on"}).content.decode()
    assert 'class="status status-overdue">overdue' in page
    assert "Overdue only (1)" in page


@pytest.mark.parametrize(
    "params",
    [
        {"state": "Belgium"},
        {"status": "forgotten"},
        {"authority": "x"},
        {"issuer": "1.5"},
        {"case": "an-unpublished-or-unknown-case"},
    ],
)
def test_bad_tracker_filters_get_a_clear_message(client, recommendations, params):
    response = client.get(TRACKER, params)
    assert response.status_code == 400
    assert "Some filters could not be applied" in response.content.decode()


def test_a_case_that_is_not_published_is_not_a_valid_filter(client):
    draft = make_case(published=False, slug="draft-case")
    make_recommendation(draft)
    response = client.get(TRACKER, {"case": "draft-case"})
    assert response.status_code == 400


def test_an_empty_tracker_says_so(client):
    assert "No recommendation has been published yet." in client.get(TRACKER).content.decode()


def test_its_authority_and_case_filters_name_and_count_published_recommendations_only(
    client, recommendations
):
    ministry = recommendations[5]
    hidden = make_authority(name="Authority of a draft case")
    make_recommendation(make_case(published=False, title="Draft"), target_authority=hidden)
    response = client.get(TRACKER)
    facets = {
        facet.name: {option.value: (option.label, option.count) for option in facet.options}
        for facet in response.context["facets"]
    }
    assert facets["authority"] == {
        str(ministry.pk): (f"Ministry of Justice ({ministry.country})", 1)
    }
    case = recommendations[0].case
    assert facets["case"] == {"the-case": (case.title, 4)}


def test_the_case_page_shows_a_recommendation_as_the_tracker_does(client, recommendations):
    """One partial for both pages: the case page marks what is overdue too."""
    old = recommendations[0]
    tracker = client.get(TRACKER, {"overdue": "on"}).content.decode()
    case_page = client.get(old.case.get_absolute_url()).content.decode()
    for page in (tracker, case_page):
        block = page.split(f'id="recommendation-{old.pk}">', 1)[1].split("</li>", 1)[0]
        assert 'class="status status-overdue">overdue' in block
    assert case_page.count('class="status status-overdue"') == 1
