"""Reference codes: assigned on publication, unique, numbered in their chain, kept as printed."""

import datetime

import pytest

from cases.models import Appeal
from cases.reference_codes import ReferenceCodeError, accept_printed, assign, parse

from .factories import make_appeal, make_case, make_organisation

pytestmark = pytest.mark.django_db

JULY_2020 = datetime.date(2020, 7, 30)


def test_it_assigns_the_first_code_of_a_case():
    case = make_case(state_of_concern="KZ")
    appeal = make_appeal(case)
    assert assign(appeal, on=JULY_2020) == "KAZ 001 / 0720 / OBS 001"
    case.refresh_from_db()
    assert case.country_number == 1


def test_it_numbers_cases_per_state_and_appeals_per_year():
    issuer = make_organisation()
    first = make_appeal(make_case(state_of_concern="KZ"), issuer=issuer)
    second = make_appeal(make_case(state_of_concern="KZ"), issuer=issuer)
    other_state = make_appeal(make_case(state_of_concern="BY"), issuer=issuer)
    next_year = make_appeal(make_case(state_of_concern="KZ"), issuer=issuer)
    assert assign(first, on=JULY_2020) == "KAZ 001 / 0720 / OBS 001"
    assert assign(second, on=JULY_2020) == "KAZ 002 / 0720 / OBS 002"
    assert assign(other_state, on=JULY_2020) == "BLR 001 / 0720 / OBS 003"
    assert assign(next_year, on=datetime.date(2021, 1, 5)) == "KAZ 003 / 0121 / OBS 001"


def test_a_later_urgent_appeal_keeps_the_month_of_the_case_s_first_appeal():
    case = make_case()
    first = make_appeal(case, date=JULY_2020)
    assign(first, on=JULY_2020)
    later = make_appeal(case)
    assert assign(later, on=datetime.date(2020, 10, 2)) == ("KAZ 001 / 0720 / OBS 002")


def test_it_numbers_follow_ups_in_their_chain():
    case = make_case()
    root = make_appeal(case, date=JULY_2020)
    assign(root, on=JULY_2020)
    first = make_appeal(case, kind=Appeal.Kind.FOLLOW_UP, parent=root)
    second = make_appeal(case, kind=Appeal.Kind.FOLLOW_UP, parent=root)
    assert assign(second) == "KAZ 001 / 0720 / OBS 001.1"
    assert assign(first) == "KAZ 001 / 0720 / OBS 001.2"
    assert {second.follow_up_number, first.follow_up_number} == {1, 2}


def test_it_refuses_a_follow_up_of_an_uncoded_original():
    case = make_case()
    root = make_appeal(case)
    follow_up = make_appeal(case, kind=Appeal.Kind.FOLLOW_UP, parent=root)
    with pytest.raises(ReferenceCodeError):
        assign(follow_up)
    follow_up.refresh_from_db()
    assert follow_up.reference_code == ""


def test_it_gives_no_code_to_a_press_release():
    appeal = make_appeal(make_case(), kind=Appeal.Kind.PRESS_RELEASE)
    assert assign(appeal, on=JULY_2020) == ""


def test_it_keeps_a_historical_code_exactly_as_printed():
    appeal = make_appeal(make_case(), date=JULY_2020)
    accept_printed(appeal, "  KAZ 001/0720/OBS 086 ")
    appeal.save()
    assert assign(appeal) == "KAZ 001/0720/OBS 086"
    appeal.refresh_from_db()
    assert appeal.reference_code == "KAZ 001/0720/OBS 086"


def test_it_keeps_an_irregular_historical_code_it_cannot_parse():
    appeal = make_appeal(make_case(), date=JULY_2020)
    accept_printed(appeal, "UA KAZ 001/0720/OBS086 bis")
    appeal.save()
    assert appeal.reference_code == "UA KAZ 001/0720/OBS086 bis"
    assert appeal.code_number is None


def test_codes_assigned_after_a_historical_one_continue_its_year():
    historical = make_appeal(make_case(country_number=1), date=JULY_2020)
    accept_printed(historical, "KAZ 001 / 0720 / OBS 086")
    historical.save()
    new = make_appeal(make_case())
    assert assign(new, on=datetime.date(2020, 9, 1)) == "KAZ 002 / 0920 / OBS 087"


def test_a_follow_up_of_the_jardemalie_appeal_is_numbered_1(jardemalie):
    root = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    follow_up = make_appeal(jardemalie, kind=Appeal.Kind.FOLLOW_UP, parent=root)
    assert assign(follow_up) == "KAZ 001 / 0720 / OBS 086.1"


def test_it_parses_a_printed_follow_up_code():
    code = parse("KAZ 001 / 1016 / OBS 085.5")
    assert (code.state, code.case_number, code.month, code.year) == ("KAZ", 1, 10, 2016)
    assert (code.prefix, code.number, code.follow_up) == ("OBS", 85, 5)
    assert str(code) == "KAZ 001 / 1016 / OBS 085.5"
    assert parse("not a code") is None
