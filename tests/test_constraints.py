"""The database itself refuses records that break the rules, whatever wrote them."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Alert, Appeal, Case, Citation, Defender, Source

from .factories import (
    make_alert,
    make_appeal,
    make_case,
    make_citation,
    make_defender,
    make_recommendation,
    make_source,
    make_update,
)

pytestmark = pytest.mark.django_db


def refused(queryset, **changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**changes)
    return True


def test_it_refuses_an_unknown_case_status():
    case = make_case()
    assert refused(Case.objects.filter(pk=case.pk), status="archived")


def test_it_refuses_a_closed_case_without_a_closing_date():
    case = make_case()
    assert refused(Case.objects.filter(pk=case.pk), status=Case.Status.CLOSED)


def test_it_refuses_a_closing_date_on_an_open_case():
    case = make_case()
    assert refused(Case.objects.filter(pk=case.pk), closed_on=datetime.date(2021, 1, 1))


def test_it_refuses_a_case_closed_before_it_opened():
    case = make_case(status=Case.Status.CLOSED, closed_on=datetime.date(2021, 1, 1))
    assert refused(Case.objects.filter(pk=case.pk), closed_on=datetime.date(2019, 1, 1))


def test_it_refuses_two_cases_with_the_same_number_for_a_state():
    make_case(country_number=1)
    other = make_case()
    assert refused(Case.objects.filter(pk=other.pk), country_number=1)


def test_it_allows_the_same_number_for_another_state():
    make_case(country_number=1)
    other = make_case(state_of_concern="BY")
    Case.objects.filter(pk=other.pk).update(country_number=1)
    assert Case.objects.filter(country_number=1).count() == 2


def test_it_refuses_a_disputed_alert_without_a_note():
    alert = make_alert(make_case())
    assert refused(Alert.objects.filter(pk=alert.pk), disputed=True)


def test_it_refuses_an_unknown_alert_kind_verification_or_date_precision():
    alert = make_alert(make_case())
    assert refused(Alert.objects.filter(pk=alert.pk), kind="rumour")
    assert refused(Alert.objects.filter(pk=alert.pk), verification="certain")
    assert refused(Alert.objects.filter(pk=alert.pk), date_precision="week")


def test_it_refuses_a_protected_defender_shown_under_the_real_name():
    defender = make_defender(name="Real Name", public_name="Real Name")
    assert refused(Defender.objects.filter(pk=defender.pk), identity_protected=True)


def test_it_refuses_a_public_file_of_a_private_source():
    source = make_source(is_public=False)
    assert refused(Source.objects.filter(pk=source.pk), file_is_public=True)


def test_it_refuses_a_citation_that_supports_nothing_or_two_things():
    alert = make_alert(make_case())
    citation = make_citation(alert=alert)
    assert refused(Citation.objects.filter(pk=citation.pk), alert=None)
    update = make_update(make_recommendation(alert.case), "pending", datetime.date(2020, 1, 1))
    assert refused(Citation.objects.filter(pk=citation.pk), recommendation_update=update)


def test_it_refuses_a_follow_up_without_its_original():
    appeal = make_appeal(make_case())
    assert refused(Appeal.objects.filter(pk=appeal.pk), kind=Appeal.Kind.FOLLOW_UP)


def test_it_refuses_a_published_appeal_without_a_publication_time():
    appeal = make_appeal(make_case())
    assert refused(Appeal.objects.filter(pk=appeal.pk), state=Appeal.State.PUBLISHED)


def test_it_refuses_an_author_reviewing_or_publishing_their_own_appeal(django_user_model):
    author = django_user_model.objects.create_user("author")
    appeal = make_appeal(make_case(), author=author)
    assert refused(Appeal.objects.filter(pk=appeal.pk), reviewer=author)
    assert refused(Appeal.objects.filter(pk=appeal.pk), published_by=author)


def test_it_refuses_a_duplicate_reference_code_but_not_two_blank_ones():
    case = make_case()
    make_appeal(case, reference_code="KAZ 001 / 0720 / OBS 086")
    blank = make_appeal(case, kind=Appeal.Kind.STATEMENT)
    make_appeal(case, kind=Appeal.Kind.STATEMENT)
    assert refused(Appeal.objects.filter(pk=blank.pk), reference_code="KAZ 001 / 0720 / OBS 086")


def test_it_refuses_a_published_follow_up_without_its_number():
    case = make_case()
    root = make_appeal(case)
    follow_up = make_appeal(case, kind=Appeal.Kind.FOLLOW_UP, parent=root)
    assert refused(
        Appeal.objects.filter(pk=follow_up.pk),
        state=Appeal.State.PUBLISHED,
        date=datetime.date(2021, 1, 1),
        published_at=timezone.now(),
    )
