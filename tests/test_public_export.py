"""The tracker as a spreadsheet: what the tracker shows, filtered the same way, safe to open."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Appeal, Recommendation, RecommendationStatus

from .factories import (
    make_appeal,
    make_authority,
    make_case,
    make_organisation,
    make_recommendation,
    make_source,
    make_update,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db

EXPORT = reverse("cases:recommendation_export")
TODAY = datetime.date(2024, 12, 31)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings):
    settings.RECOMMENDATION_OVERDUE_DAYS = 90
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


def rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    header, *records = csv.reader(io.StringIO(text[1:]))
    return [dict(zip(header, record, strict=True)) for record in records]


@pytest.fixture
def tracker():
    case = make_case(title="Searches of a lawyer's home", slug="the-case")
    ministry = make_authority(name="Ministry of Justice", country="BE")
    unhcr = make_organisation(name="UNHCR")
    commitment = make_recommendation(
        case,
        text="Stop the transfers.",
        issuer=make_organisation(name="Observatory", acronym="OBS"),
        target_authority=ministry,
        issued_on=datetime.date(2024, 1, 1),
        source=make_source(title="Public statement"),
    )
    commitment.co_issuers.add(unhcr)
    make_update(
        commitment,
        RecommendationStatus.COMMITTED,
        datetime.date(2024, 2, 1),
        description="Assurances were given.",
    )
    kazakh = make_recommendation(
        case, text="Release him.", target_state="KZ", issued_on=datetime.date(2024, 11, 1)
    )
    make_recommendation(make_case(published=False), text="A draft case's recommendation.")
    return {"case": case, "commitment": commitment, "kazakh": kazakh}


def test_it_exports_what_the_tracker_shows(client, tracker):
    response = client.get(EXPORT)
    assert response["Content-Disposition"] == (
        'attachment; filename="recommendations-2024-12-31.csv"'
    )
    exported = rows(response)
    assert [row["Recommendation"] for row in exported] == ["Stop the transfers.", "Release him."]
    belgium = exported[0]
    assert belgium == {
        "Government": "Belgium",
        "Authority": "Ministry of Justice (BE)",
        "In the source's words": "",
        "Recommendation": "Stop the transfers.",
        "Made by": "Observatory (OBS); UNHCR",
        "Issued on": "2024-01-01",
        "Status": "committed",
        "Last update": "2024-02-01",
        "Latest development": "Assurances were given.",
        "Overdue": "yes",
        "Case": "Searches of a lawyer's home",
        "Address": f"http://testserver/cases/the-case/#recommendation-{tracker['commitment'].pk}",
        "Appeal": "",
        "Source": "Public statement",
    }
    assert exported[1]["Status"] == "pending" and exported[1]["Overdue"] == "no"


def test_it_applies_the_trackers_filters(client, tracker):
    assert [r["Recommendation"] for r in rows(client.get(EXPORT, {"state": "KZ"}))] == [
        "Release him."
    ]
    assert rows(client.get(EXPORT, {"overdue": "on"}))[0]["Recommendation"] == (
        "Stop the transfers."
    )
    assert rows(client.get(EXPORT, {"status": "implemented"})) == []


def test_a_bad_filter_is_a_400_that_says_what_is_wrong(client, tracker):
    response = client.get(EXPORT, {"state": "XX"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Government" in response.content.decode()


def test_it_names_no_private_source_and_no_withdrawn_appeal(client, tracker):
    case = tracker["case"]
    withdrawn = make_appeal(
        case,
        title="A withdrawn appeal",
        **{
            **published_appeal_fields(),
            "state": Appeal.State.WITHDRAWN,
            "withdrawn_at": timezone.now(),
        },
    )
    published = make_appeal(case, title="A published appeal", **published_appeal_fields())
    make_recommendation(
        case,
        text="From the withdrawn appeal.",
        appeal=withdrawn,
        source=make_source(title="Private testimony", is_public=False),
    )
    make_recommendation(case, text="From the published appeal.", appeal=published)
    exported = {r["Recommendation"]: r for r in rows(client.get(EXPORT))}
    assert exported["From the withdrawn appeal."]["Appeal"] == ""
    assert exported["From the withdrawn appeal."]["Source"] == ""
    assert exported["From the published appeal."]["Appeal"] == "A published appeal"
    text = b"".join(client.get(EXPORT).streaming_content).decode()
    assert "A withdrawn appeal" not in text and "Private testimony" not in text


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(client):
    case = make_case(title='=HYPERLINK("http://example.invalid","open")')
    make_recommendation(case, text="+1+1", issuer=make_organisation(name="@attacker"))
    make_recommendation(case, text="-2 detained", issued_on=datetime.date(2024, 3, 1))
    exported = rows(client.get(EXPORT))
    assert {r["Recommendation"] for r in exported} == {"'+1+1", "'-2 detained"}
    assert all(r["Case"].startswith("'=HYPERLINK") for r in exported)
    assert any(r["Made by"] == "'@attacker" for r in exported)


def test_its_queries_do_not_grow_with_the_recommendations(
    client, tracker, django_assert_num_queries
):
    # No filter counts here: the recommendations with their case, their co-issuers, then the
    # authorities, organisations and sources they name (an appeal would be one more), each
    # once per 2,000 recommendations at most.
    with django_assert_num_queries(6):  # and the page cache's generation
        rows(client.get(EXPORT))
    case = tracker["case"]
    appeal = make_appeal(case, **published_appeal_fields())
    publisher = make_organisation(acronym="PUB")
    for n in range(5):
        recommendation = make_recommendation(
            case,
            text=f"More {n}.",
            appeal=appeal,
            source=make_source(publisher=publisher, date=datetime.date(2024, 1, n + 1)),
        )
        recommendation.co_issuers.add(make_organisation())
        make_update(recommendation, RecommendationStatus.PARTIAL, datetime.date(2024, 5, 1))
    with django_assert_num_queries(7):  # and the appeal they come from, and the generation
        exported = rows(client.get(EXPORT))
    assert len(exported) == 7
    # Named as everywhere else (the publisher and the date too), from the columns read.
    for recommendation in Recommendation.objects.filter(appeal=appeal):
        (row,) = [r for r in exported if r["Recommendation"] == recommendation.text]
        assert row["Source"] == str(recommendation.source) and "PUB, " in row["Source"]
        assert row["Appeal"] == str(appeal)


def test_the_tracker_links_to_the_export_of_its_filters(client, tracker):
    page = client.get(reverse("cases:recommendation_list"), {"state": "BE", "page": "1"})
    assert f'href="{EXPORT}?state=BE"' in page.content.decode()
    empty = client.get(reverse("cases:recommendation_list"), {"status": "implemented"})
    assert EXPORT not in empty.content.decode()
