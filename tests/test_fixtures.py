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


def test_the_brother_is_shown_released_wherever_he_is_shown_detained(jardemalie):
    link = jardemalie.defender_links.get(defender__name="Iskander Yerimbetov")
    assert "release on health grounds on 30 December 2019" in link.description
    assert "released on health grounds on 30 December 2019" in link.defender.public_profile
    statement = Appeal.objects.get(date=datetime.date(2020, 3, 20))
    assert "(he had been released on 30 December 2019)" in statement.body
    assert Citation.objects.filter(note__contains="he had been released on 30 December").exists()


def test_both_sides_are_in_the_record_with_their_sources(jardemalie):
    passages = " ".join(Citation.objects.values_list("quoted_passage", flat=True))
    # The Belgian authorities: the judge's authorisation, the purpose, the evidence found.
    assert "the search was then authorized by the investigating judge" in passages
    assert "multi-billion dollar misappropriation case" in passages
    assert "des éléments probablement en lien avec les infractions" in passages
    # The accusation, and the Bâtonnier's reserved view.
    assert "misappropriation or embezzlement of entrusted property" in passages
    assert "did not “note blatant irregularities from the judicial authorities.”" in passages
    # The critical Le Soir investigation of August 2020, and the defender's own voice.
    assert Alert.objects.filter(title__startswith="Le Soir publishes a critical").exists()
    assert "on a silver platter a list of political opponents" in passages
    assert "Nursultan Nazarbayev" in passages


def test_every_recommendation_quotes_its_source(jardemalie):
    for recommendation in Recommendation.objects.filter(case=jardemalie):
        assert recommendation.quote and recommendation.source.is_public, recommendation
    wgad = Recommendation.objects.filter(issuer__acronym="WGAD")
    assert wgad.count() == 3  # release, compensation, investigation
    assert Recommendation.objects.filter(issuer__acronym="CCBE", issued_on="2018-04-23").exists()
    # The CCBE is not a co-issuer of the OIAD's statement of 20 March 2020.
    assert not Recommendation.objects.filter(co_issuers__acronym="CCBE").exists()


def test_the_sources_errors_are_noted_where_they_are_quoted(jardemalie):
    notes = " ".join(Citation.objects.values_list("note", flat=True))
    for error in (
        "“his brother”",
        "Working Group ‘Human Rights’",
        "“Caucasian” is the English translation's error",
        "“her colleague”",
        "Koes Geens",
        "mistranslates the French “courriers”",
    ):
        assert error in notes, error
    assert "Role of the Bar" in Recommendation.objects.get(pk=8).text


def test_the_disagreements_are_disputed_and_each_side_is_a_version(jardemalie):
    for title, sides in {
        "Her Brussels home searched": 5,
        "She is questioned at federal police": 2,
        "Trial of three men": 3,
        "A lawyer for Kazakhstan appears": 2,
        "Kazakhstan receives documents": 2,
        "Brussels Court of Appeal finds": 1,
        "Court of Appeal refuses Kazakhstan": 1,
    }.items():
        alert = Alert.objects.get(title__startswith=title)
        assert alert.disputed and not alert.dispute_note.startswith("The sources differ"), title
        assert alert.citations.filter(is_version=True).count() == sides, title
    search = Alert.objects.get(title__startswith="Her Brussels home searched")
    # The Bâtonnier's words are not one side of the dispute.
    assert not search.citations.get(quoted_passage__contains="blatant").is_version
    assert not search.authorities.filter(office_holder="Koen Geens").exists()


def test_partial_dates_sort_where_they_fall_in_the_story(jardemalie):
    titles = list(Alert.objects.filter(case=jardemalie).values_list("title", flat=True))

    def before(first, then):
        first_at = next(i for i, t in enumerate(titles) if t.startswith(first))
        then_at = next(i for i, t in enumerate(titles) if t.startswith(then))
        return first_at < then_at

    assert before("Criminal complaint filed", "Trial of three men")  # 7 then 21 October
    assert before("Her Brussels home searched", "UN experts call on Belgium")  # "2019" last
    assert before("Kazakhstan charges her", "Refugee status granted")  # 2013, then October
    assert before("Belgium has refused two", "Minister of Justice Koen Geens")  # before 6 Nov
    assert before("The Indictment Division puts", "Constitutional Court grants her")


def test_every_source_of_the_public_record_has_its_address(jardemalie):
    from cases.models import Source

    for source in Source.objects.filter(pk__gte=10):
        assert source.url.startswith("http"), source
    assert not Source.objects.filter(title__startswith="Norwegian Helsinki Committee on").exists()
