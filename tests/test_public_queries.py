"""
Every public page and feed costs a fixed number of queries: measured with two related rows of
everything, then again with twice as many, so that an N+1 would show.
"""

import datetime
import itertools

import pytest
from django.urls import reverse

from cases.models import (
    ActionTally,
    Addressee,
    Alias,
    Page,
    RecommendationStatus,
    RequestedAction,
    ViolationType,
)

from .factories import (
    make_alert,
    make_appeal,
    make_authority,
    make_case,
    make_citation,
    make_defender,
    make_organisation,
    make_recommendation,
    make_source,
    make_update,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db


_n = itertools.count(1)


def _add_rows(case, root):
    """Two more of every related row: defenders, alerts, appeals, recommendations, sources."""
    n = next(_n)
    violation = ViolationType.objects.create(name=f"Violation {n}", slug=f"violation-{n}")
    case.violation_types.add(violation)
    for _ in range(2):
        defender = make_defender(case, profession="lawyer")
        Alias.objects.create(
            defender=defender, name=f"Alias {defender.pk}", kind=Alias.Kind.SPELLING
        )
        alert = make_alert(case, disputed=True, dispute_note="They disagree.")
        alert.authorities.add(make_authority())
        make_citation(source=make_source(), alert=alert)
        make_citation(source=make_source(), alert=alert)
        related = make_case()
        case.related_cases.add(related)
        make_defender(related)
        issuer = make_organisation()
        appeal = make_appeal(
            case,
            issuer=issuer,
            kind="follow_up",
            parent=root,
            follow_up_number=next(_n),
            **published_appeal_fields(
                datetime.date(2021, 1, 1) + datetime.timedelta(days=next(_n))
            ),
        )
        appeal.co_signers.add(make_organisation(), make_organisation())
        appeal.violation_types.add(violation)
        root.co_signers.add(make_organisation())
        RequestedAction.objects.create(
            appeal=root, text="Act.", target_state="BE", target_authority=make_authority()
        )
        addressee = Addressee.objects.create(appeal=root, authority=make_authority(email="a@x.org"))
        ActionTally.objects.get_or_create(appeal=root, addressee=None)
        ActionTally.objects.create(appeal=root, addressee=addressee, count=2)
        recommendation = make_recommendation(
            case,
            issuer=issuer,
            appeal=root,
            source=make_source(),
            target_authority=make_authority(),
        )
        recommendation.co_issuers.add(make_organisation())
        update = make_update(
            recommendation, RecommendationStatus.COMMITTED, datetime.date(2021, 2, 1)
        )
        make_citation(source=make_source(), recommendation_update=update)
        make_citation(source=make_source(), recommendation_update=update)


@pytest.fixture
def site():
    case = make_case(slug="the-case", state_of_concern="KZ", other_states=["BE"])
    root = make_appeal(case, **published_appeal_fields(datetime.date(2020, 7, 30)))
    Page.objects.create(
        slug="about", title="About", body="One.\n\nTwo.", published_at=root.published_at
    )
    _add_rows(case, root)
    return case, root


# (name, url, queries). The comment says what each query is for.
PAGES = [
    # latest cases, latest appeals, tracker counts, overdue count
    ("home", lambda c, a: "/", 4),
    # six filter counts, total, page, subjects of the page
    ("case list", lambda c, a: reverse("cases:case_list"), 9),
    # the same with every filter set (+1: the violation type is looked up to validate it; +3:
    # the text query searched once: cases, defenders, the cases of the defenders found or of
    # protected defenders by their public name)
    (
        "filtered case list",
        lambda c, a: (
            reverse("cases:case_list")
            + "?state=KZ&other_state=BE&status=open&profession=lawyer&year=2020&q=case&violation="
            + c.violation_types.first().slug
        ),
        13,
    ),
    # case, defenders, alerts, citations, authorities, appeals, recommendations, co-issuers,
    # updates, their citations, related cases
    ("case page", lambda c, a: c.get_absolute_url(), 11),
    # four filter counts, total, page
    ("appeal list", lambda c, a: reverse("cases:appeal_list"), 6),
    # appeal, co-signers, actions, addressees, violation types, chain, readers' reports
    ("appeal page", lambda c, a: a.get_absolute_url(), 7),
    # appeal, addressees, requested actions
    ("appeal letters", lambda c, a: reverse("cases:appeal_letters", args=[a.pk]), 3),
    ("how we verify", lambda c, a: reverse("cases:how_we_verify"), 0),
    # the page
    ("site page", lambda c, a: reverse("cases:page", args=["about"]), 1),
    # summary (with the overdue per government), five filter counts and the names of the
    # authorities and cases they count, overdue count, total, page, co-issuers, updates,
    # their citations
    ("tracker", lambda c, a: reverse("cases:recommendation_list"), 14),
    # defender, cases, aliases
    (
        "defender page",
        lambda c, a: reverse(
            "cases:defender_detail", args=[c.defender_links.first().defender.slug]
        ),
        3,
    ),
    # cases, other states, recommendation targets
    ("country list", lambda c, a: reverse("cases:country_list"), 3),
    # cases, appeals, recommendations
    ("country page", lambda c, a: reverse("cases:country_detail", args=["kz"]), 3),
    # total, page, cases citing the page's sources
    ("source list", lambda c, a: reverse("cases:source_list"), 3),
    ("appeal feed", lambda c, a: reverse("cases:appeal_feed"), 1),
    ("case appeal feed", lambda c, a: reverse("cases:case_appeal_feed", args=[c.slug]), 2),
    ("country appeal feed", lambda c, a: reverse("cases:country_appeal_feed", args=["kz"]), 1),
    ("timeline feed", lambda c, a: reverse("cases:case_timeline_feed", args=[c.slug]), 2),
    # the index: the number of pages of cases, appeals and defenders, the latest change of
    # cases and appeals (one aggregate each), three for the countries
    ("sitemap index", lambda c, a: "/sitemap.xml", 8),
    # a count and the page's items
    ("sitemap of cases", lambda c, a: reverse("sitemap_section", args=["cases"]), 2),
    ("sitemap of appeals", lambda c, a: reverse("sitemap_section", args=["appeals"]), 2),
    ("sitemap of defenders", lambda c, a: reverse("sitemap_section", args=["defenders"]), 2),
]


@pytest.mark.parametrize("name,url,queries", PAGES, ids=[p[0] for p in PAGES])
def test_it_uses_a_fixed_number_of_queries(
    client, site, django_assert_num_queries, name, url, queries
):
    case, root = site
    address = url(case, root)
    # One more: the page cache reads the page generation before the page is rendered.
    with django_assert_num_queries(queries + 1):
        assert client.get(address).status_code == 200
    _add_rows(case, root)
    with django_assert_num_queries(queries + 1):
        assert client.get(address).status_code == 200
