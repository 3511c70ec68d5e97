"""Defender, country and source pages; the home page in numbers; error pages."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from cases.models import Alias, Appeal, CaseDefender, Source

from .factories import (
    make_alert,
    make_appeal,
    make_case,
    make_citation,
    make_defender,
    make_recommendation,
    make_source,
    make_update,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db


def test_the_defender_page_shows_the_public_profile_and_cases(client, jardemalie):
    response = client.get(reverse("cases:defender_detail", args=["botagoz-jardemalie"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Political refugee in Belgium since 2013" in page
    assert jardemalie.title in page
    assert "Jardimalie" in page and "a misspelling in a source" in page


def test_a_defender_of_unpublished_cases_only_has_no_page(client):
    defender = make_defender(make_case(published=False))
    assert client.get(reverse("cases:defender_detail", args=[defender.slug])).status_code == 404


def test_a_protected_defender_has_no_page_of_their_own(client):
    # The slug is typed by staff and may carry the real name.
    defender = make_defender(
        make_case(), name="Real Name", public_name="Pseudonym", identity_protected=True
    )
    assert client.get(reverse("cases:defender_detail", args=[defender.slug])).status_code == 404


def test_the_defender_page_lists_published_cases_only(client):
    shown, hidden = make_case(title="Shown case"), make_case(title="Hidden case", published=False)
    defender = make_defender(shown)
    CaseDefender.objects.create(case=hidden, defender=defender)
    page = client.get(reverse("cases:defender_detail", args=[defender.slug])).content.decode()
    assert "Shown case" in page and "Hidden case" not in page


def test_the_country_page_shows_cases_appeals_and_recommendations_concerning_it(client):
    persecuting = make_case(title="Persecuted at home", state_of_concern="KZ")
    exile = make_case(title="Exile case", state_of_concern="RU", other_states=["KZ"])
    make_case(title="Unrelated", state_of_concern="TR")
    make_appeal(persecuting, title="Appeal about it", **published_appeal_fields())
    make_recommendation(exile, text="Stop the extradition.", target_state="KZ")
    make_recommendation(exile, text="To Russia.", target_state="RU")
    response = client.get(reverse("cases:country_detail", args=["kz"]))
    page = response.content.decode()
    assert "<h1>Kazakhstan</h1>" in page
    assert "Persecuted at home" in page and "Exile case" in page and "Unrelated" not in page
    assert "Appeal about it" in page
    assert "Stop the extradition." in page and "To Russia." not in page
    assert 'href="/countries/kz/appeals.atom"' in page


@pytest.mark.parametrize("code", ["xx", "kaz", "k", "%20", "../admin"])
def test_an_unknown_country_is_not_found(client, code):
    assert client.get(f"/countries/{code}/").status_code == 404


def test_the_country_index_counts_what_concerns_each_state(client):
    make_case(state_of_concern="KZ", other_states=["BE"])
    make_case(state_of_concern="KZ")
    response = client.get(reverse("cases:country_list"))
    rows = {row["code"]: row for row in response.context["countries"]}
    assert rows["KZ"]["concern"] == 2 and rows["BE"]["involved"] == 1


def test_the_source_list_shows_public_sources_cited_on_published_pages(client):
    case = make_case(title="The case")
    make_citation(alert=make_alert(case), source=make_source(title="Cited source"))
    update = make_update(make_recommendation(case), "committed", datetime.date(2021, 1, 1))
    by_update = make_source(title="Cited by an update")
    make_citation(source=by_update, recommendation_update=update)
    page = client.get(reverse("cases:source_list")).content.decode()
    assert "Cited source" in page and "Cited by an update" in page
    assert f'href="{case.get_absolute_url()}#sources">The case</a>' in page


def test_the_source_list_leaves_out_sources_cited_only_in_drafts(client):
    draft_case = make_case(published=False)
    make_citation(alert=make_alert(draft_case), source=make_source(title="Announces a draft case"))
    make_citation(
        alert=make_alert(make_case(), published=False), source=make_source(title="Draft alert")
    )
    make_source(title="Cited nowhere")
    page = client.get(reverse("cases:source_list")).content.decode()
    assert "Announces a draft case" not in page and "Draft alert" not in page
    assert "Cited nowhere" not in page
    # Published means cited on a published page: none of them is.
    assert Source.objects.published().count() == 0


def test_the_home_page_shows_appeals_cases_and_the_tracker_in_numbers(client, jardemalie):
    page = client.get("/").content.decode()
    assert "The tracker in numbers" in page
    assert "12 recommendations made to governments" in page
    assert (
        '<a href="/recommendations/?status=partial"><strong>2</strong> partially implemented</a>'
        in page
    )


def test_the_home_page_orders_cases_by_what_was_last_published(client):
    older = make_case(title="Older case")
    newer = make_case(title="Newer case")
    make_alert(older)  # published now, after both cases
    page = client.get("/").content.decode()
    assert page.index("Older case") < page.index(newer.title)


def test_the_404_page_is_friendly(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and 'href="/cases/"' in page


def test_the_500_page_needs_no_database_or_request(django_assert_num_queries):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_staff_preview_of_a_draft_appeal_still_renders(rf):
    case = make_case()
    draft = make_appeal(case, title="Draft being reviewed")
    published = make_appeal(case, title="Published", **published_appeal_fields())
    context = {"appeal": draft, "case": case, "preview": True, **draft.page_parts()}
    assert context["previous_in_chain"] is None and context["next_in_chain"] is None
    page = render_to_string("public/appeal_detail.html", context, request=rf.get("/admin/"))
    assert "Preview for staff." in page and "Draft being reviewed" in page
    assert 'property="og:title"' not in page
    assert published.title not in page


def test_the_appeal_page_moves_along_the_chain(client, jardemalie):
    root = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    follow_ups = [
        make_appeal(
            jardemalie,
            kind=Appeal.Kind.FOLLOW_UP,
            parent=root,
            follow_up_number=n,
            reference_code=f"KAZ 001 / 0720 / OBS 086.{n}",
            title=f"New information {n}",
            **published_appeal_fields(datetime.date(2026, 1, n)),
        )
        for n in (1, 2)
    ]
    page = client.get(follow_ups[0].get_absolute_url()).content.decode()
    assert f'<a rel="prev" href="{root.get_absolute_url()}">' in page
    assert f'<a rel="next" href="{follow_ups[1].get_absolute_url()}">' in page
    assert '<span aria-current="page">KAZ 001 / 0720 / OBS 086.1' in page


def test_the_appeal_page_has_open_graph_and_a_feed_link(client, jardemalie):
    appeal = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    page = client.get(appeal.get_absolute_url()).content.decode()
    assert f'<meta property="og:title" content="{appeal.title}">' in page
    assert '<meta name="description" content="The Observatory for the Protection' in page
    assert f'href="/cases/{jardemalie.slug}/appeals.atom"' in page


def test_the_case_page_has_open_graph_feeds_and_links_to_defenders(client, jardemalie):
    page = client.get(jardemalie.get_absolute_url()).content.decode()
    assert f'<meta property="og:title" content="{jardemalie.title}">' in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert f'href="/cases/{jardemalie.slug}/timeline.atom"' in page
    assert 'href="/defenders/botagoz-jardemalie/"' in page
    assert "Federal Judicial Police (Brussels)" in page  # authorities involved in an alert


def test_the_case_page_shows_each_source_version_of_a_disputed_alert(client, jardemalie):
    page = client.get(jardemalie.get_absolute_url()).content.decode()
    assert "What each source says" in page
    assert "OIAD’s version:" in page and "Le Soir’s version:" in page


def test_the_case_page_lists_related_cases_that_are_published(client):
    case = make_case()
    case.related_cases.add(make_case(title="Related and public"))
    case.related_cases.add(make_case(title="Related draft", published=False))
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Related and public" in page and "Related draft" not in page


def test_the_defender_page_shows_other_spellings(client):
    defender = make_defender(make_case(), public_name="Known")
    Alias.objects.create(defender=defender, name="Knowne", kind=Alias.Kind.SPELLING)
    page = client.get(reverse("cases:defender_detail", args=[defender.slug])).content.decode()
    assert "Knowne" in page
