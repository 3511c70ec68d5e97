"""
Fuzzing: generated values for every public filter, search and pagination parameter, and for
every public path parameter. Whatever arrives, the answer is a page, a 400 or a 404: never a
500 (the test client raises the exception behind a 500).

`make fuzz` runs it with many more, random examples.
"""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from public.filters import AppealFilter, CaseFilter, RecommendationFilter

pytestmark = pytest.mark.django_db

LISTS = {
    "cases:case_list": CaseFilter,
    "cases:appeal_list": AppealFilter,
    "cases:recommendation_list": RecommendationFilter,
    "cases:recommendation_export": RecommendationFilter,
}

# What arrives in query strings: real values, numbers, empty, odd Unicode, control characters,
# markup, SQL, over-long values.
values = st.one_of(
    st.sampled_from(["", "KZ", "kz", "BE", "open", "2019", "botagoz-jardemalie", "on", "1"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.sampled_from(["\x00", "%00", "' OR 1=1 --", "<script>x</script>", "../../etc/passwd"]),
)

# How many examples: the profile decides (tests/conftest.py; HYPOTHESIS_PROFILE=explore).
relaxed = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _params(filterset):
    return sorted({*filterset.base_filters, "page", "q", "o", "year"})


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_parameters_never_give_a_500(jardemalie, name):
    client = Client()
    url = reverse(name)
    keys = st.sampled_from(_params(LISTS[name])) | st.text(max_size=10)

    @relaxed
    @given(query=st.dictionaries(keys, st.lists(values, min_size=1, max_size=3), max_size=5))
    def check(query):
        response = client.get(url, query)
        assert response.status_code in (200, 400), (query, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)  # an export fails while it streams, if at all

    check()


PATHS = [
    ("cases:case_detail", "slug"),
    ("cases:case_timeline_feed", "slug"),
    ("cases:case_appeal_feed", "slug"),
    ("cases:defender_detail", "slug"),
    ("cases:country_detail", "code"),
    ("cases:country_appeal_feed", "code"),
]


@pytest.mark.parametrize(("name", "kind"), PATHS)
def test_path_parameters_never_give_a_500(jardemalie, name, kind):
    client = Client()
    slugs = st.from_regex(r"[-a-zA-Z0-9_]{1,300}", fullmatch=True)
    codes = st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s)

    @relaxed
    @given(value=slugs if kind == "slug" else codes)
    def check(value):
        try:
            url = reverse(name, args=[value])
        except NoReverseMatch:  # the value cannot be in this URL at all
            return
        response = client.get(url)
        assert response.status_code in (200, 404), (value, response.status_code)

    check()


@relaxed
@given(value=st.integers(min_value=-(2**70), max_value=2**70))
def test_appeal_ids_never_give_a_500(jardemalie, value):
    response = Client().get(f"/appeals/{value}/")
    assert response.status_code in (200, 404), value
