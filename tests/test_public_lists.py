"""The filtered lists: cases and appeals. Filters live in the URL, count their values, and
turn bad input into a message, never a 500."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Alias, Appeal, Case, ViolationType

from .factories import (
    make_appeal,
    make_case,
    make_defender,
    make_organisation,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db

CASES = reverse("cases:case_list")
APPEALS = reverse("cases:appeal_list")


def _titles(response):
    return [item.title for item in response.context["page"].object_list]


@pytest.fixture
def two_cases():
    torture = ViolationType.objects.create(name="Torture", slug="torture")
    kazakh = make_case(
        title="Kazakh case",
        state_of_concern="KZ",
        other_states=["BE"],
        opened_on=datetime.date(2019, 5, 1),
    )
    kazakh.violation_types.add(torture)
    make_defender(kazakh, public_name="Aigul Lawyer", profession="lawyer")
    turkish = make_case(
        title="Turkish case",
        state_of_concern="TR",
        status=Case.Status.MONITORING,
        opened_on=datetime.date(2021, 2, 1),
    )
    make_defender(turkish, public_name="Deniz Reporter", profession="journalist")
    return kazakh, turkish


@pytest.mark.parametrize(
    "params",
    [
        {"state": "KZ"},
        {"other_state": "BE"},
        {"status": "open"},
        {"violation": "torture"},
        {"profession": "lawyer"},
        {"year": "2019"},
        {"q": "aigul"},
        {"q": "kazakh case"},
    ],
)
def test_it_filters_cases_by_each_filter(client, two_cases, params):
    response = client.get(CASES, params)
    assert response.status_code == 200
    assert _titles(response) == ["Kazakh case"]


def test_it_shows_how_many_cases_each_value_gives(client, two_cases):
    page = client.get(CASES).content.decode()
    assert '<option value="KZ">Kazakhstan (1)</option>' in page
    assert '<option value="TR">Turkey (1)</option>' in page or "Türkiye (1)" in page
    assert '<option value="lawyer">lawyer (1)</option>' in page
    assert '<option value="2021">2021 (1)</option>' in page


def test_counts_follow_the_other_filters(client, two_cases):
    page = client.get(CASES, {"status": "monitoring"}).content.decode()
    assert "Kazakhstan (" not in page
    assert '<option value="monitoring" selected>monitoring (1)</option>' in page
    # The status facet counts among the other filters only, so "open" stays on offer.
    assert '<option value="open">open (1)</option>' in page


def test_a_filtered_list_is_a_url_that_keeps_its_filters_across_pages(client):
    for n in range(25):
        make_case(title=f"Kazakh {n:02}", state_of_concern="KZ")
    make_case(title="Elsewhere", state_of_concern="TR")
    response = client.get(CASES, {"state": "KZ"})
    page = response.content.decode()
    assert "25 cases" in page
    assert 'href="?state=KZ&amp;page=2"' in page
    second = client.get(CASES, {"state": "KZ", "page": "2"})
    assert len(second.context["page"].object_list) == 5
    assert "Elsewhere" not in second.content.decode()


def test_it_finds_a_case_by_an_alias_of_its_defender(client, two_cases):
    kazakh, _ = two_cases
    defender = kazakh.defender_links.get().defender
    Alias.objects.create(defender=defender, name="Aygul", kind=Alias.Kind.SPELLING)
    assert _titles(client.get(CASES, {"q": "aygul"})) == ["Kazakh case"]


def test_it_never_finds_a_case_by_the_real_name_or_alias_of_a_protected_defender(client):
    case = make_case(title="A case")
    hidden = make_defender(case, name="Real Name", public_name="Pseudonym", identity_protected=True)
    Alias.objects.create(defender=hidden, name="Realname", kind=Alias.Kind.SPELLING)
    assert _titles(client.get(CASES, {"q": "Real Name"})) == []
    assert _titles(client.get(CASES, {"q": "Realname"})) == []
    assert _titles(client.get(CASES, {"q": "Pseudonym"})) == ["A case"]


@pytest.mark.parametrize(
    "params,message",
    [
        ({"state": "XX"}, "State of concern: Select a valid choice"),
        ({"other_state": "kz; drop table"}, "Other state involved: Select a valid choice"),
        ({"status": "secret"}, "Status: Select a valid choice"),
        ({"violation": "no-such-violation"}, "Violation: Select a valid choice"),
        ({"profession": "spy"}, "Select a valid choice"),
        ({"year": "20x9"}, "Year opened: Enter a whole number."),
        ({"year": "2019.5"}, "Year opened: Enter a whole number."),
        ({"year": "99999999999999999999"}, "Year opened: Ensure this value is less than"),
        ({"q": "x" * 5000}, "Search: Ensure this value has at most 200 characters"),
    ],
)
def test_bad_case_filters_get_a_clear_message(client, two_cases, params, message):
    response = client.get(CASES, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'role="alert"' in page
    assert "Kazakh case" not in page  # no list that silently ignored the bad filter


@pytest.mark.parametrize(
    "number,notice",
    [
        ("999", "There is no page 999; this is page 1."),
        ("0", "There is no page 0; this is page 1."),
        ("abc", "“abc” is not a page number; this is page 1."),
        ("9" * 5000, "is not a page number; this is page 1."),
    ],
)
def test_page_numbers_that_are_not_pages_say_so(client, two_cases, number, notice):
    response = client.get(CASES, {"page": number})
    assert response.status_code == 200
    assert notice in response.content.decode()
    assert response.context["page"].number == 1


def test_filters_are_labelled_form_controls(client, two_cases):
    page = client.get(CASES).content.decode()
    for name in ("q", "state", "other_state", "status", "violation", "profession", "year"):
        assert f'<label for="id_{name}">' in page
        assert f'id="id_{name}"' in page


@pytest.fixture
def appeals():
    oiad, fidh = make_organisation(acronym="OIAD"), make_organisation(acronym="FIDH")
    kazakh, turkish = make_case(state_of_concern="KZ"), make_case(state_of_concern="TR")
    make_appeal(
        kazakh,
        issuer=oiad,
        title="Kazakh appeal",
        **published_appeal_fields(datetime.date(2020, 3, 20)),
    )
    make_appeal(
        turkish,
        issuer=fidh,
        kind=Appeal.Kind.PRESS_RELEASE,
        title="Turkish release",
        **published_appeal_fields(datetime.date(2022, 1, 5)),
    )
    make_appeal(kazakh, issuer=oiad, title="Draft appeal")
    return oiad, fidh


def test_it_lists_published_appeals_only(client, appeals):
    assert sorted(_titles(client.get(APPEALS))) == ["Kazakh appeal", "Turkish release"]


def test_it_filters_appeals_by_kind_state_year_and_issuer(client, appeals):
    oiad, _ = appeals
    for params in (
        {"kind": "urgent_appeal"},
        {"state": "KZ"},
        {"year": "2020"},
        {"issuer": str(oiad.pk)},
    ):
        assert _titles(client.get(APPEALS, params)) == ["Kazakh appeal"], params
    page = client.get(APPEALS).content.decode()
    assert f'<option value="{oiad.pk}">OIAD (1)</option>' in page
    assert '<option value="press_release">press release (1)</option>' in page


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "leak"},
        {"state": "ZZ"},
        {"year": "last year"},
        {"issuer": "abc"},
        {"issuer": "99999999999999999999999"},
        {"issuer": "-1"},
    ],
)
def test_bad_appeal_filters_get_a_clear_message(client, appeals, params):
    response = client.get(APPEALS, params)
    assert response.status_code == 400
    assert "Some filters could not be applied" in response.content.decode()
