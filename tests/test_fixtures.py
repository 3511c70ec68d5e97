"""The Jardemalie case loads, loads again without duplicates, and tells the key facts."""

import datetime
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command

from cases.models import (
    Alert,
    Alias,
    Appeal,
    Citation,
    Defender,
    Recommendation,
    RecommendationStatus,
    ViolationType,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("cases").get_models()
    }


@pytest.mark.django_db
def test_it_loads_on_its_own_and_twice_without_duplicates():
    call_command("loaddata", "jardemalie", verbosity=0)
    first = counts()
    assert first["cases.Alert"] >= 20
    call_command("loaddata", "jardemalie", verbosity=0)
    call_command("loaddata", "vocabularies", "jardemalie", verbosity=0)
    second = counts()
    assert second["cases.ViolationType"] > first["cases.ViolationType"]
    del first["cases.ViolationType"], second["cases.ViolationType"]
    assert second == first


def test_the_case_fixture_repeats_the_vocabulary_exactly():
    vocabulary = {
        o["fields"]["slug"]: o["fields"]
        for o in yaml.safe_load((FIXTURES / "vocabularies.yaml").read_text())
    }
    in_case = [
        o["fields"]
        for o in yaml.safe_load((FIXTURES / "jardemalie.yaml").read_text())
        if o["model"] == "cases.violationtype"
    ]
    assert in_case
    for term in in_case:
        assert vocabulary[term["slug"]] == term


def test_the_search_of_1_october_2019_is_disputed_and_cites_both_versions(jardemalie):
    search = Alert.objects.get(case=jardemalie, kind=Alert.Kind.SEARCH)
    assert search.date == datetime.date(2019, 10, 1)
    assert search.date_display == "1 October 2019"
    assert search.disputed and "magistrate" in search.dispute_note
    publishers = {
        c.source.publisher.acronym or c.source.publisher.name for c in search.citations.all()
    }
    assert {"OIAD", "Le Soir"} <= publishers
    assert search.authorities.filter(office_holder="Ludivine Kerzmann").exists()


def test_the_brother_s_arrest_is_on_the_timeline(jardemalie):
    arrest = Alert.objects.get(case=jardemalie, kind=Alert.Kind.ARREST)
    assert arrest.date == datetime.date(2017, 11, 13)
    assert list(arrest.defenders.values_list("name", flat=True)) == ["Iskander Yerimbetov"]
    link = jardemalie.defender_links.get(defender__name="Iskander Yerimbetov")
    assert link.role == "relative"


def test_the_verdict_of_29_november_2019_is_disputed_with_three_versions(jardemalie):
    verdict = Alert.objects.get(case=jardemalie, date=datetime.date(2019, 11, 29))
    assert verdict.kind == Alert.Kind.VERDICT
    assert verdict.disputed
    assert "9,600 euros" in verdict.dispute_note and "suspended" in verdict.dispute_note
    assert verdict.citations.filter(is_version=True).count() == 4
    assert {c.source.publisher.short_name for c in verdict.citations.filter(is_version=True)} == {
        "OIAD",
        "Le Soir",
        "FIDH–OMCT Observatory",
    }


def test_dates_keep_their_precision(jardemalie):
    refugee = Alert.objects.get(case=jardemalie, kind=Alert.Kind.PROTECTION_GRANTED)
    assert refugee.date_display == "October 2013"
    charges = Alert.objects.get(case=jardemalie, title__startswith="Kazakhstan charges her")
    assert charges.date_display == "2013"
    resolution = Alert.objects.get(case=jardemalie, date=datetime.date(2019, 3, 1))
    assert resolution.date_display == "March 2019"
    release = Alert.objects.get(case=jardemalie, kind=Alert.Kind.RELEASE)
    assert release.date_display == "30 December 2019"


def test_the_oiad_statements_carry_their_recommendations(jardemalie):
    statements = Appeal.objects.filter(issuer__acronym="OIAD").order_by("date")
    assert [a.date for a in statements] == [datetime.date(2020, 3, 20), datetime.date(2025, 1, 21)]
    march, january = statements
    assert march.recommendations.count() == 3
    assert {r.target_state.code for r in march.recommendations.all()} == {"BE", "KZ"}
    # The three calls, and the recall of principles 16 and 17 of the Basic Principles.
    assert january.recommendations.count() == 5
    assert set(january.recommendations.values_list("target_state", flat=True)) == {"BE", "KZ"}
    for appeal in statements:
        for action in appeal.requested_actions.all():
            assert action.recommendation.appeal == appeal


def test_the_urgent_appeal_keeps_its_printed_code(jardemalie):
    appeal = Appeal.objects.get(kind=Appeal.Kind.URGENT_APPEAL)
    assert appeal.reference_code == "KAZ 001 / 0720 / OBS 086"
    assert (appeal.code_year, appeal.code_number) == (2020, 86)
    assert appeal.is_published()


def test_what_followed_the_recommendations(jardemalie):
    release = Recommendation.objects.get(text__startswith="Release Iskander")
    assert release.current_status == RecommendationStatus.PARTIAL
    assert release.updates.get().date_display == "30 December 2019"
    transmission = Recommendation.objects.get(text__startswith="Cease all transmission")
    history = [u.status for u in transmission.updates.order_by("date", "id")]
    assert history == ["committed", "not_implemented", "partial", "partial"]


def test_the_sources_misspellings_are_aliases_and_our_text_is_corrected(jardemalie):
    assert Alias.objects.filter(name="Bota Jardimalie", kind="misspelling").exists()
    assert Alias.objects.get(name="Abyazov").defender.name == "Mukhtar Ablyazov"
    for alert in Alert.objects.all():
        assert "Koes Geens" not in alert.description
        assert "Mr Jardemalie" not in alert.description
    assert Citation.objects.filter(note__contains="Koen Geens").exists()
    assert Citation.objects.filter(note__contains="she is a woman").exists()
    assert Defender.objects.get(slug="botagoz-jardemalie").profession == "lawyer"


def test_every_violation_type_of_the_case_is_in_the_vocabulary(jardemalie):
    # Not "kidnapping attempt": alleged, but nobody was convicted of it.
    assert jardemalie.violation_types.count() == 9
    assert not jardemalie.violation_types.filter(slug="kidnapping-attempt").exists()
    assert ViolationType.objects.filter(slug="transnational-repression").exists()
