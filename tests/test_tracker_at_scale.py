"""The tracker stays usable with many cases: its case filter does not list every case."""

import pytest
from django.urls import reverse

from public.filters import CASE_FACET_SIZE

from .factories import make_case, make_organisation, make_recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_cases():
    issuer = make_organisation()
    cases = []
    for n in range(CASE_FACET_SIZE + 5):
        case = make_case(title=f"Case {n:03d}")
        # The first cases have the most recommendations.
        for _ in range(3 if n < CASE_FACET_SIZE else 1):
            make_recommendation(case, issuer=issuer)
        cases.append(case)
    return cases


def case_options(response):
    facet = next(f for f in response.context["facets"] if f.name == "case")
    return {option.value: option.count for option in facet.options}


def test_it_offers_the_cases_with_the_most_recommendations(client, many_cases):
    options = case_options(client.get(reverse("cases:recommendation_list")))

    assert len(options) == CASE_FACET_SIZE
    assert set(options) == {case.slug for case in many_cases[:CASE_FACET_SIZE]}
    assert set(options.values()) == {3}


def test_it_offers_the_chosen_case_with_its_count_even_outside_the_most(client, many_cases):
    chosen = many_cases[-1]

    response = client.get(reverse("cases:recommendation_list"), {"case": chosen.slug})

    options = case_options(response)
    assert options[chosen.slug] == 1
    assert len(options) == CASE_FACET_SIZE
    assert len(response.context["page"].object_list) == 1
