"""`published()` decides what the public may see; `is_published()` agrees with it."""

import pytest
from django.utils import timezone

from cases.models import Alert, Appeal, Case, Defender, Recommendation, Source

from .factories import (
    make_alert,
    make_appeal,
    make_case,
    make_citation,
    make_defender,
    make_recommendation,
    make_source,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db


def test_it_hides_draft_cases():
    public, draft = make_case(), make_case(published=False)
    assert list(Case.objects.published()) == [public]
    assert public.is_published() and not draft.is_published()


def test_it_hides_draft_alerts_and_every_alert_of_a_draft_case():
    case, draft_case = make_case(), make_case(published=False)
    shown = make_alert(case)
    make_alert(case, published=False)
    hidden_by_case = make_alert(draft_case)
    assert list(Alert.objects.published()) == [shown]
    assert shown.is_published() and not hidden_by_case.is_published()


@pytest.mark.parametrize("state", [Appeal.State.DRAFT, Appeal.State.IN_REVIEW])
def test_it_hides_appeals_not_yet_published(state):
    case = make_case()
    shown = make_appeal(case, **published_appeal_fields())
    make_appeal(case, state=state)
    assert list(Appeal.objects.published()) == [shown]


def test_it_hides_withdrawn_appeals_and_appeals_of_draft_cases():
    make_appeal(
        make_case(),
        **{
            **published_appeal_fields(),
            "state": Appeal.State.WITHDRAWN,
            "withdrawn_at": timezone.now(),
        },
    )
    hidden = make_appeal(make_case(published=False), **published_appeal_fields())
    assert not Appeal.objects.published().exists()
    assert not hidden.is_published()


def test_it_hides_recommendations_of_draft_cases():
    shown = make_recommendation(make_case())
    make_recommendation(make_case(published=False))
    assert list(Recommendation.objects.published()) == [shown]


def test_it_shows_public_sources_that_a_published_page_cites():
    shown = make_source()
    make_citation(source=shown, alert=make_alert(make_case()))
    private = make_source(is_public=False)
    make_citation(source=private, alert=make_alert(make_case()))
    draft_only = make_source()
    make_citation(source=draft_only, alert=make_alert(make_case(published=False)))
    make_source()  # cited nowhere
    assert list(Source.objects.published()) == [shown]
    assert shown.is_published() and not draft_only.is_published()


def test_it_shows_only_defenders_of_published_cases():
    shown = make_defender(make_case())
    make_defender(make_case(published=False))
    make_defender()
    assert list(Defender.objects.published()) == [shown]
    assert shown.is_published()
