"""A recommendation's status is that of its latest update; overdue ones are found."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cases.models import Recommendation, RecommendationStatus, RecommendationUpdate

from .factories import make_case, make_recommendation, make_update

pytestmark = pytest.mark.django_db


def stored(recommendation):
    """The status and last update date kept on the recommendation, as the database has them."""
    recommendation.refresh_from_db()
    return recommendation.current_status, recommendation.last_update_on


def derived(recommendation):
    """The same, read from the updates themselves."""
    latest = recommendation.updates.order_by("-date", "-id").first()
    return (latest.status, latest.date) if latest else (RecommendationStatus.PENDING, None)


def test_it_is_pending_until_there_is_an_update():
    recommendation = make_recommendation(make_case())
    assert recommendation.status == RecommendationStatus.PENDING
    assert stored(recommendation) == (RecommendationStatus.PENDING, None)


def test_it_follows_the_latest_update_by_date_not_by_entry_order():
    recommendation = make_recommendation(make_case())
    make_update(recommendation, RecommendationStatus.NOT_IMPLEMENTED, datetime.date(2024, 5, 1))
    make_update(recommendation, RecommendationStatus.COMMITTED, datetime.date(2023, 1, 1))
    assert stored(recommendation) == (
        RecommendationStatus.NOT_IMPLEMENTED,
        datetime.date(2024, 5, 1),
    )
    assert recommendation.status == RecommendationStatus.NOT_IMPLEMENTED
    make_update(recommendation, RecommendationStatus.IMPLEMENTED, datetime.date(2025, 1, 1))
    assert stored(recommendation)[0] == RecommendationStatus.IMPLEMENTED
    assert (
        Recommendation.objects.filter(current_status=RecommendationStatus.IMPLEMENTED).count() == 1
    )


def test_same_day_updates_are_read_in_the_order_they_were_recorded():
    recommendation = make_recommendation(make_case())
    day = datetime.date(2024, 1, 1)
    make_update(recommendation, RecommendationStatus.COMMITTED, day)
    make_update(recommendation, RecommendationStatus.NOT_IMPLEMENTED, day)
    assert stored(recommendation) == (RecommendationStatus.NOT_IMPLEMENTED, day)


def test_editing_or_deleting_an_update_moves_the_status():
    recommendation = make_recommendation(make_case())
    first = make_update(recommendation, RecommendationStatus.COMMITTED, datetime.date(2024, 1, 1))
    later = make_update(recommendation, RecommendationStatus.PARTIAL, datetime.date(2024, 6, 1))
    # Redated before the other: the other is now the latest.
    later.date = datetime.date(2023, 6, 1)
    later.save()
    assert stored(recommendation) == (RecommendationStatus.COMMITTED, datetime.date(2024, 1, 1))
    first.delete()
    assert stored(recommendation) == (RecommendationStatus.PARTIAL, datetime.date(2023, 6, 1))
    # Deleted through a queryset (one signal per update, as the admin's bulk delete).
    RecommendationUpdate.objects.filter(recommendation=recommendation).delete()
    assert stored(recommendation) == (RecommendationStatus.PENDING, None)


def test_saving_the_recommendation_never_overwrites_the_status_its_updates_give():
    recommendation = make_recommendation(make_case())
    make_update(recommendation, RecommendationStatus.IMPLEMENTED, datetime.date(2024, 1, 1))
    # An instance read before the update (a form, a revert) carries the old status.
    stale = Recommendation.objects.get(pk=recommendation.pk)
    stale.current_status, stale.last_update_on = RecommendationStatus.PENDING, None
    stale.text = "Edited text."
    stale.save()
    assert stored(recommendation) == (RecommendationStatus.IMPLEMENTED, datetime.date(2024, 1, 1))
    stale.current_status = RecommendationStatus.CLOSED
    stale.save(update_fields=["text"])
    assert stored(recommendation) == (RecommendationStatus.IMPLEMENTED, datetime.date(2024, 1, 1))


def test_refresh_status_repairs_what_was_written_around_the_model():
    case = make_case()
    recommendations = [make_recommendation(case) for _ in range(3)]
    make_update(recommendations[0], RecommendationStatus.CLOSED, datetime.date(2024, 1, 1))
    Recommendation.objects.update(
        current_status=RecommendationStatus.IMPLEMENTED, last_update_on=datetime.date(2000, 1, 1)
    )
    assert Recommendation.objects.refresh_status() == 3
    assert [stored(r) for r in recommendations] == [derived(r) for r in recommendations]
    assert stored(recommendations[0]) == (RecommendationStatus.CLOSED, datetime.date(2024, 1, 1))


DAYS = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2020, 1, 10))
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(RecommendationStatus.values), DAYS),
        st.tuples(st.just("redate"), st.integers(0, 20), DAYS),
        st.tuples(
            st.just("restatus"), st.integers(0, 20), st.sampled_from(RecommendationStatus.values)
        ),
        st.tuples(st.just("delete"), st.integers(0, 20), st.none()),
    ),
    max_size=12,
)


class TestStoredStatusFollowsTheUpdates(HypothesisTestCase):
    """Whatever is done to the updates, in any order: the stored status is the derived one."""

    # A property of correctness, not of speed: no deadline (each save now also reads what the
    # public can see, and a loaded machine takes longer than hypothesis's 200 ms default).
    @settings(deadline=None)
    @given(steps=STEPS)
    def test_any_sequence_of_changes(self, steps):
        recommendation = make_recommendation(make_case())
        for action, which, value in steps:
            updates = list(recommendation.updates.all())
            if action == "add":
                make_update(recommendation, which, value)
            elif updates:
                update = updates[which % len(updates)]
                if action == "delete":
                    update.delete()
                else:
                    setattr(update, "date" if action == "redate" else "status", value)
                    update.save()
            assert stored(recommendation) == derived(recommendation)


def test_it_finds_overdue_recommendations(settings):
    settings.RECOMMENDATION_OVERDUE_DAYS = 90
    today = datetime.date(2024, 12, 31)
    case = make_case()
    old = make_recommendation(case, issued_on=datetime.date(2024, 1, 1))
    recent = make_recommendation(case, issued_on=datetime.date(2024, 12, 1))
    answered = make_recommendation(case, issued_on=datetime.date(2024, 1, 1))
    make_update(answered, RecommendationStatus.IMPLEMENTED, datetime.date(2024, 2, 1))
    committed_long_ago = make_recommendation(case, issued_on=datetime.date(2023, 1, 1))
    make_update(committed_long_ago, RecommendationStatus.COMMITTED, datetime.date(2023, 6, 1))
    committed_lately = make_recommendation(case, issued_on=datetime.date(2023, 1, 1))
    make_update(committed_lately, RecommendationStatus.COMMITTED, datetime.date(2024, 12, 1))
    overdue = set(Recommendation.objects.overdue(today=today))
    assert overdue == {old, committed_long_ago}
    assert recent not in overdue and committed_lately not in overdue
    # The tracker marks each row with the same condition.
    marked = Recommendation.objects.with_is_overdue(today)
    assert {r for r in marked if r.is_overdue} == overdue


@pytest.mark.parametrize("updates_first", [False, True])
def test_loading_a_fixture_stores_the_status_whatever_its_order(tmp_path, updates_first):
    from django.core import serializers
    from django.core.management import call_command

    recommendation = make_recommendation(make_case())
    make_update(recommendation, RecommendationStatus.COMMITTED, datetime.date(2024, 1, 1))
    make_update(recommendation, RecommendationStatus.PARTIAL, datetime.date(2024, 2, 1))
    updates = list(recommendation.updates.all())
    records = [recommendation, *updates]
    if updates_first:
        records = [*updates, recommendation]
    fixture = tmp_path / "recommendation.json"
    fixture.write_text(serializers.serialize("json", records))
    RecommendationUpdate.objects.all().delete()
    Recommendation.objects.all().delete()

    call_command("loaddata", str(fixture), verbosity=0)

    assert stored(Recommendation.objects.get()) == (
        RecommendationStatus.PARTIAL,
        datetime.date(2024, 2, 1),
    )
