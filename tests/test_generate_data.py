"""manage.py generate_data: a realistic observatory in bulk, valid and reproducible."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from cases.models import (
    Addressee,
    Alert,
    Alias,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Recommendation,
    RecommendationUpdate,
    RequestedAction,
    Source,
)
from ops.generator import BENCHMARK_ALERTS, BENCHMARK_CASE_SLUG

pytestmark = pytest.mark.django_db

CASES = 60


def generate(cases=CASES, **options):
    call_command("generate_data", cases=cases, verbosity=0, **options)


@pytest.fixture
def generated(db):
    generate(seed=7)


def snapshot():
    """The generated content, without primary keys or the time of the run."""
    return {
        "cases": list(
            Case.objects.order_by("slug").values_list(
                "slug",
                "title",
                "summary",
                "state_of_concern",
                "other_states",
                "status",
                "opened_on",
                "closed_on",
                "published_at",
                "country_number",
                "risk_level",
            )
        ),
        "defenders": list(
            Defender.objects.order_by("slug").values_list(
                "slug", "name", "public_name", "identity_protected", "profession"
            )
        ),
        "aliases": list(
            Alias.objects.order_by("defender__slug", "name").values_list(
                "defender__slug", "name", "kind"
            )
        ),
        "alerts": list(
            Alert.objects.order_by("case__slug", "date", "title", "description").values_list(
                "case__slug", "date", "date_precision", "kind", "title", "published_at"
            )
        ),
        "appeals": list(
            Appeal.objects.order_by("case__slug", "kind", "title", "published_at").values_list(
                "case__slug", "kind", "reference_code", "state", "date", "follow_up_number"
            )
        ),
        "recommendations": Recommendation.objects.count(),
        "updates": list(
            RecommendationUpdate.objects.order_by(
                "recommendation__case__slug", "date", "status"
            ).values_list("recommendation__case__slug", "date", "status")
        ),
        "citations": Citation.objects.count(),
    }


def test_it_creates_what_it_says(generated):
    assert Case.objects.count() == CASES
    assert CASES * 1.2 <= Defender.objects.count() <= CASES * 3
    assert Alias.objects.count() >= Defender.objects.count()
    # About 10 alerts a case, plus the benchmark case's 200 and the appeals' timeline entries.
    assert CASES * 6 + BENCHMARK_ALERTS <= Alert.objects.count() <= CASES * 14 + BENCHMARK_ALERTS
    assert Citation.objects.filter(alert__isnull=False).count() >= Alert.objects.count() * 0.8
    assert Citation.objects.filter(recommendation_update__isnull=False).exists()
    assert Source.objects.filter(is_public=False).exists()
    assert Appeal.objects.filter(kind=Appeal.Kind.FOLLOW_UP, state=Appeal.State.PUBLISHED).exists()
    assert Appeal.objects.filter(state=Appeal.State.DRAFT).exists()
    assert Appeal.objects.filter(state=Appeal.State.WITHDRAWN).exists()
    assert RequestedAction.objects.exists() and Addressee.objects.exists()
    assert Recommendation.objects.filter(requested_action__isnull=False).exists()
    assert Recommendation.objects.filter(source__isnull=False).exists()
    assert RecommendationUpdate.objects.count() > Recommendation.objects.count() * 0.5
    assert Case.objects.published().count() < CASES
    assert Case.objects.filter(status=Case.Status.CLOSED).exists()
    assert Defender.objects.filter(identity_protected=True).exists()
    assert Alias.objects.filter(kind=Alias.Kind.MISSPELLING).exists()
    assert Alias.objects.filter(kind=Alias.Kind.SPELLING).exists()


def test_it_makes_the_benchmark_case_with_exactly_200_published_alerts(generated, client):
    case = Case.objects.published().get(slug=BENCHMARK_CASE_SLUG)
    assert Alert.objects.published().filter(case=case).count() == BENCHMARK_ALERTS
    assert Alert.objects.filter(case=case, published_at__isnull=True).exists()
    assert Appeal.objects.published().filter(case=case, parent__isnull=False).count() == 3

    response = client.get(reverse("cases:case_detail", args=[BENCHMARK_CASE_SLUG]))

    assert response.status_code == 200
    assert response.content.decode().count('id="alert-') == BENCHMARK_ALERTS


def test_its_records_pass_model_validation(generated):
    for model in (
        Case,
        Defender,
        Alias,
        CaseDefender,
        Alert,
        Source,
        Citation,
        Appeal,
        RequestedAction,
        Addressee,
        Recommendation,
        RecommendationUpdate,
    ):
        # The first and the last records written: the benchmark case and ordinary ones.
        sample = [*model.objects.order_by("pk")[:30], *model.objects.order_by("-pk")[:30]]
        assert sample
        for record in sample:
            record.full_clean()


def test_its_appeal_chains_follow_the_reference_code_rules(generated):
    roots = Appeal.objects.filter(parent__isnull=True).exclude(reference_code="")
    assert roots.exists()
    for root in roots:
        assert root.case.country_number is not None
        assert root.reference_code.startswith(root.case.state_of_concern.alpha3)
        for follow_up in root.follow_ups.filter(state=Appeal.State.PUBLISHED):
            assert follow_up.reference_code == f"{root.reference_code}.{follow_up.follow_up_number}"
    # Withdrawn appeals keep no public trace on the timeline.
    for appeal in Appeal.objects.filter(state=Appeal.State.WITHDRAWN):
        assert not appeal.timeline_alerts.filter(published_at__isnull=False).exists()
        assert all(r.status == "closed" for r in appeal.recommendations.all())


def test_each_recommendation_keeps_the_status_of_its_latest_update(generated):
    def kept():
        return list(
            Recommendation.objects.order_by("pk").values_list(
                "pk", "current_status", "last_update_on"
            )
        )

    written = kept()
    assert len({status for _, status, _ in written}) > 3
    assert Recommendation.objects.refresh_status() == len(written)
    assert kept() == written


def test_protected_defenders_are_never_named_in_public_fields(generated):
    for defender in Defender.objects.filter(identity_protected=True):
        assert defender.public_name != defender.name
        assert defender.name.split()[-1].lower() not in defender.slug
        for link in defender.case_links.select_related("case"):
            assert defender.name not in link.case.title
            assert defender.name not in link.case.summary


def test_the_same_seed_gives_the_same_data(db):
    with transaction.atomic():
        generate(seed=11)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Case.objects.exists()

    generate(seed=11)

    assert snapshot() == first


def test_another_seed_gives_other_data(db):
    with transaction.atomic():
        generate(seed=11)
        first = snapshot()
        transaction.set_rollback(True)

    generate(seed=12)

    assert snapshot()["cases"] != first["cases"]


def test_it_refuses_a_database_that_already_holds_generated_data(generated):
    before = Case.objects.count()

    with pytest.raises(CommandError, match="already holds generated data"):
        generate(seed=8)

    assert Case.objects.count() == before


def test_it_adds_to_a_database_with_other_cases_without_collisions(jardemalie):
    generate(seed=3)

    assert Case.objects.count() == CASES + 1
    jardemalie.refresh_from_db()
    assert jardemalie.alerts.count() == 39
    codes = list(Appeal.objects.exclude(reference_code="").values_list("reference_code", flat=True))
    assert len(codes) == len(set(codes))
    # Codes assigned in 2020 continue the running number after the case's OBS 086.
    numbers = Appeal.objects.filter(code_year=2020, code_number__isnull=False).values_list(
        "code_number", flat=True
    )
    assert 86 in numbers
    assert all(number > 86 for number in numbers if number != 86)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--cases", "0"], "--cases must be between 1"),
        (["--cases", "-5"], "--cases must be between 1"),
        (["--cases", "9999999"], "--cases must be between 1"),
        (["--cases", "10", "--alerts-per-case", "0"], "--alerts-per-case must be between 1"),
        (["--cases", "ten"], "invalid int value"),
        ([], "the following arguments are required: --cases"),
    ],
)
def test_it_refuses_bad_arguments_with_a_clear_message(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_data", *arguments, verbosity=0)
    assert not Case.objects.exists()
