"""
A source is published when it is public and a published page cites it. Whether a page cites it
is stored (`cited_publicly`) so that the source list reads one indexed flag: these tests hold
the stored flag to the definition, computed from every citation, after every kind of write.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Citation, Recommendation, Source

from .factories import (
    make_alert,
    make_case,
    make_recommendation,
    make_source,
    make_update,
)

pytestmark = pytest.mark.django_db


def by_definition():
    """The published sources, computed from every citation (what the flag must say)."""
    in_alerts = Citation.objects.filter(
        alert__published_at__isnull=False, alert__case__published_at__isnull=False
    ).values("source_id")
    in_updates = Citation.objects.filter(
        recommendation_update__recommendation__case__published_at__isnull=False
    ).values("source_id")
    in_recommendations = Recommendation.objects.filter(case__published_at__isnull=False).values(
        "source_id"
    )
    return set(
        Source.objects.filter(is_public=True)
        .filter(Q(pk__in=in_alerts) | Q(pk__in=in_updates) | Q(pk__in=in_recommendations))
        .values_list("pk", flat=True)
    )


def published():
    return set(Source.objects.published().values_list("pk", flat=True))


def test_a_source_is_published_while_a_published_page_cites_it():
    case = make_case()
    alert = make_alert(case)
    source = make_source()
    assert published() == set()  # public, cited nowhere
    citation = Citation.objects.create(source=source, alert=alert)
    assert published() == {source.pk} == by_definition()
    alert.published_at = None
    alert.save()
    assert published() == set() == by_definition()
    alert.published_at = timezone.now()
    alert.save()
    case.published_at = None
    case.save()
    assert published() == set() == by_definition()
    case.published_at = timezone.now()
    case.save()
    assert published() == {source.pk}
    other = make_source()
    citation.source = other
    citation.save()
    assert published() == {other.pk} == by_definition()
    citation.delete()
    assert published() == set() == by_definition()


def test_recommendations_and_their_updates_cite_too():
    case = make_case()
    source, cited_by_update = make_source(), make_source()
    recommendation = make_recommendation(case, source=source)
    update = make_update(recommendation, "committed", datetime.date(2021, 1, 1))
    Citation.objects.create(source=cited_by_update, recommendation_update=update)
    assert published() == {source.pk, cited_by_update.pk} == by_definition()
    recommendation.source = None
    recommendation.save()
    assert published() == {cited_by_update.pk} == by_definition()
    update.delete()
    assert published() == set() == by_definition()


def test_a_private_source_is_never_published_and_the_instance_in_hand_follows():
    alert = make_alert(make_case())
    source = make_source(is_public=False)
    Citation.objects.create(source=source, alert=alert)
    assert published() == set()
    source.refresh_from_db()
    assert source.cited_publicly is True  # cited, but not public: not published
    source.is_public = True
    source.save()
    assert source.cited_publicly is True and published() == {source.pk}


def test_fixtures_and_the_generator_store_it(jardemalie):
    assert published() == by_definition() != set()
    call_command("generate_data", "--cases", "3", "--seed", "3", verbosity=0)
    assert published() == by_definition()


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "cite",
                "uncite",
                "toggle alert",
                "toggle case",
                "toggle public",
                "recommend",
                "move citation",
            ]
        ),
        st.integers(min_value=0, max_value=5),
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_the_stored_flag_is_the_definition_after_any_writes(db, operations):
    Citation.objects.all().delete()
    Recommendation.objects.all().delete()
    cases = [make_case(), make_case(published=False)]
    alerts = [make_alert(cases[0]), make_alert(cases[0], published=False), make_alert(cases[1])]
    sources = [make_source(), make_source(), make_source(is_public=False)]
    for operation, n in operations:
        source, alert = sources[n % 3], alerts[n % 3]
        if operation == "cite":
            Citation.objects.create(source=source, alert=alert)
        elif operation == "uncite":
            for citation in Citation.objects.filter(source=source)[:1]:
                citation.delete()
        elif operation == "toggle alert":
            alert.published_at = None if alert.published_at else timezone.now()
            alert.save()
        elif operation == "toggle case":
            case = cases[n % 2]
            case.published_at = None if case.published_at else timezone.now()
            case.save()
        elif operation == "toggle public":
            source.is_public = not source.is_public
            source.save()
        elif operation == "recommend":
            make_recommendation(cases[n % 2], source=source)
        else:
            for citation in Citation.objects.order_by("pk")[:1]:
                citation.source = sources[(n + 1) % 3]
                citation.save()
        assert published() == by_definition(), (operation, n)
