"""A recommendation's status is that of its latest update; overdue ones are found."""

import datetime

import pytest

from cases.models import Recommendation, RecommendationStatus

from .factories import make_case, make_recommendation, make_update

pytestmark = pytest.mark.django_db


def test_it_is_pending_until_there_is_an_update():
    recommendation = make_recommendation(make_case())
    assert recommendation.status == RecommendationStatus.PENDING
    annotated = Recommendation.objects.with_status().get()
    assert annotated.current_status == RecommendationStatus.PENDING


def test_it_follows_the_latest_update_by_date_not_by_entry_order():
    recommendation = make_recommendation(make_case())
    make_update(recommendation, RecommendationStatus.NOT_IMPLEMENTED, datetime.date(2024, 5, 1))
    make_update(recommendation, RecommendationStatus.COMMITTED, datetime.date(2023, 1, 1))
    assert recommendation.status == RecommendationStatus.NOT_IMPLEMENTED
    assert (
        Recommendation.objects.with_status().get().current_status
        == RecommendationStatus.NOT_IMPLEMENTED
    )
    make_update(recommendation, RecommendationStatus.IMPLEMENTED, datetime.date(2025, 1, 1))
    assert recommendation.status == RecommendationStatus.IMPLEMENTED
    assert Recommendation.objects.with_status_in([RecommendationStatus.IMPLEMENTED]).count() == 1


def test_same_day_updates_are_read_in_the_order_they_were_recorded():
    recommendation = make_recommendation(make_case())
    day = datetime.date(2024, 1, 1)
    make_update(recommendation, RecommendationStatus.COMMITTED, day)
    make_update(recommendation, RecommendationStatus.NOT_IMPLEMENTED, day)
    assert recommendation.status == RecommendationStatus.NOT_IMPLEMENTED


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
    # The tracker marks each row from the status it has already read: the same answer.
    marked = Recommendation.objects.with_status().with_is_overdue(today)
    assert {r for r in marked if r.is_overdue} == overdue
    assert set(Recommendation.objects.with_status().overdue_among(today)) == overdue
