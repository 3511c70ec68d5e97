"""
Appeals and recommendations store whether their case is published (`case_published`), so that
the lists, the tracker and the home page count one column of one table. These tests hold the
stored flag to the definition, read from the case, after every kind of write.
"""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Appeal, Case, Recommendation

from .factories import make_appeal, make_case, make_recommendation, published_appeal_fields

pytestmark = pytest.mark.django_db


def mismatches():
    """Records whose flag is not what their case says."""
    wrong = []
    for model in (Appeal, Recommendation):
        for pk, flag, published_at in model.objects.values_list(
            "pk", "case_published", "case__published_at"
        ):
            if flag != (published_at is not None):
                wrong.append((model.__name__, pk))
    return wrong


def test_the_flag_follows_the_case():
    case = make_case(published=False)
    appeal = make_appeal(case, **published_appeal_fields())
    recommendation = make_recommendation(case)
    assert not appeal.case_published and not recommendation.case_published
    assert not Appeal.objects.published().exists()
    assert not Recommendation.objects.published().exists()
    case.published_at = timezone.now()
    case.save()
    assert list(Appeal.objects.published()) == [appeal]
    assert list(Recommendation.objects.published()) == [recommendation]
    case.published_at = None
    case.save()
    assert not Appeal.objects.published().exists() and mismatches() == []


def test_moving_a_record_to_another_case_takes_that_case_s_flag():
    draft, published = make_case(published=False), make_case()
    recommendation = make_recommendation(draft)
    recommendation.case = published
    recommendation.save()
    assert recommendation.case_published is True
    assert list(Recommendation.objects.published()) == [recommendation]


def test_a_stale_instance_cannot_write_an_old_flag_back():
    case = make_case(published=False)
    appeal = make_appeal(case, **published_appeal_fields())
    stale = Appeal.objects.get(pk=appeal.pk)
    case.published_at = timezone.now()
    case.save()
    stale.title = "Edited in a form opened before the case was published"
    stale.save()
    assert Appeal.objects.get(pk=appeal.pk).case_published is True


def test_fixtures_and_the_generator_store_it(jardemalie):
    assert mismatches() == []
    assert Appeal.objects.published().exists()
    call_command("generate_data", "--cases", "3", "--seed", "4", verbosity=0)
    assert mismatches() == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    operations=st.lists(
        st.tuples(
            st.sampled_from(["toggle case", "add appeal", "add recommendation", "move"]),
            st.integers(min_value=0, max_value=3),
        ),
        max_size=10,
    )
)
def test_the_stored_flag_is_the_definition_after_any_writes(db, operations):
    Appeal.objects.all().delete()
    Recommendation.objects.all().delete()
    Case.objects.all().delete()
    cases = [make_case(), make_case(published=False)]
    for operation, n in operations:
        case = cases[n % 2]
        if operation == "toggle case":
            case.published_at = None if case.published_at else timezone.now()
            case.save()
        elif operation == "add appeal":
            make_appeal(case, **published_appeal_fields(datetime.date(2021, 1, 1 + n)))
        elif operation == "add recommendation":
            make_recommendation(case)
        else:
            for record in Recommendation.objects.order_by("pk")[:1]:
                record.case = cases[(n + 1) % 2]
                record.save()
        assert mismatches() == [], (operation, n)
