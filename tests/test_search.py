"""The search: public (/search/) and staff (the admin), on SQLite and PostgreSQL."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from cases import search
from cases.models import Alias, Appeal, Case
from tests.factories import (
    log_in,
    make_alert,
    make_appeal,
    make_case,
    make_defender,
    make_recommendation,
    make_staff,
    published_appeal_fields,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="fuzzy matching (pg_trgm), stemming and accent folding need PostgreSQL",
)


def search_page(client, q, **params):
    return client.get(reverse("cases:search"), {"q": q, **params})


def found(response, kind=None):
    """The titles found, of one type or all."""
    return [
        result.title
        for group in response.context["groups"]
        if kind in (None, group.kind)
        for result in group.results
    ]


@pytest.fixture
def records(db):
    case = make_case(title="Harassment of Ilona Quarrington", summary="A lawyer in Almaty.")
    defender = make_defender(case, public_name="Tamsin Wexleford", name="Tamsin Wexleford")
    alert = make_alert(case, title="Home searched", description="Police searched the Vostrikov.")
    appeal = make_appeal(
        case,
        title="Urgent appeal on the Brindlecombe hearing",
        reference_code="KAZ 001 / 0720 / OBS 086",
        **published_appeal_fields(),
    )
    recommendation = make_recommendation(case, text="Stop the Peltonwick prosecution.")
    return {
        "case": case,
        "defender": defender,
        "alert": alert,
        "appeal": appeal,
        "recommendation": recommendation,
    }


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("case", "Quarrington"),
        ("alert", "Vostrikov"),
        ("appeal", "Brindlecombe"),
        ("recommendation", "Peltonwick"),
        ("defender", "Wexleford"),
    ],
)
def test_it_finds_each_type_of_record(client, records, kind, query):
    response = search_page(client, query)
    assert response.status_code == 200
    titles = found(response, kind)
    record = records[kind]
    attribute = {"case": "title", "alert": "title", "appeal": "title", "defender": "public_name"}
    expected = getattr(record, attribute[kind]) if kind in attribute else str(record)
    assert titles == [expected]
    # Nothing of another type contains the word.
    assert found(response) == titles


def test_results_link_to_the_public_pages(client, records):
    page = search_page(client, "Wexleford").content.decode()
    assert reverse("cases:defender_detail", args=[records["defender"].slug]) in page
    page = search_page(client, "Vostrikov").content.decode()
    assert records["alert"].get_absolute_url() in page


@pytest.mark.parametrize(
    "query", ["OBS 086", "KAZ 001 / 0720 / OBS 086", "kaz 001/0720/obs 086", "0720"]
)
def test_it_finds_appeals_by_reference_code(client, records, query):
    response = search_page(client, query)
    assert found(response, "appeal") == ["Urgent appeal on the Brindlecombe hearing"]


def test_an_exact_title_ranks_above_a_passing_mention(client, db):
    mention = make_case(
        title="Lawyers of Almaty",
        summary="Among many others, the case of Marek Quillon is followed elsewhere.",
    )
    exact = make_case(title="Marek Quillon", summary="A journalist in Minsk.")
    titles = found(search_page(client, "Marek Quillon"), "case")
    assert titles == [exact.title, mention.title]


def test_a_title_ranks_above_a_mention_whichever_was_created_first(client, db):
    exact = make_case(title="Marek Quillon", summary="A journalist in Minsk.")
    make_case(title="Lawyers of Almaty", summary="Among others, the case of Marek Quillon.")
    assert found(search_page(client, "Marek Quillon"), "case")[0] == exact.title


MARKER = "Zyxquorble"


@pytest.fixture
def confidential(db):
    """Records and fields the public must never find, each carrying MARKER."""
    published = make_case(
        title="Public case",
        summary="Shown.",
        internal_notes=f"{MARKER} internal note",
        closing_reason="",
    )
    make_case(published=False, title=f"{MARKER} draft case", summary=f"{MARKER}.")
    make_alert(published, published=False, title=f"{MARKER} draft alert")
    make_alert(published, title="Public alert", internal_notes=f"{MARKER} alert note")
    make_appeal(published, title=f"{MARKER} draft appeal", body=MARKER)
    make_appeal(
        published,
        title=f"{MARKER} withdrawn appeal",
        body=MARKER,
        **published_appeal_fields(),
    )
    Appeal.objects.filter(title__startswith=f"{MARKER} withdrawn").update(
        state=Appeal.State.WITHDRAWN, withdrawn_at=published.published_at
    )
    make_recommendation(make_case(published=False), text=f"{MARKER} recommendation of a draft")
    make_defender(
        published,
        name="Public Person",
        public_name="Public Person",
        contact_details=f"{MARKER} contact",
        internal_notes=f"{MARKER} note",
    )
    protected = make_defender(
        published,
        name=f"{MARKER} Realname",
        public_name="Pseudonym Seven",
        identity_protected=True,
        protection_status="In hiding",
    )
    Alias.objects.create(defender=protected, name=f"Alias {MARKER}", kind="spelling")
    make_defender(make_case(published=False), name=f"{MARKER} Unpublished", public_name="Someone")
    return published


@pytest.mark.parametrize(
    "query",
    [MARKER, f"{MARKER} draft", "Realname", f"Alias {MARKER}", "Pseudonym Seven", "Someone"],
)
def test_it_never_finds_unpublished_records_or_staff_only_text(client, confidential, query):
    response = search_page(client, query)
    assert response.status_code == 200
    assert found(response) == []
    assert response.context["found"] is False
    # The page echoes the query (in its search box, and in the address of the same page in
    # each language: its links carry the query encoded), and nothing else carries the marker.
    page = response.content.decode()
    encoded = urlencode({"q": query})[2:]
    echoes = page.count(query) + (page.count(encoded) if encoded != query else 0)
    assert page.count(MARKER) == query.count(MARKER) * echoes


def test_staff_find_drafts_and_protected_names_with_links_to_the_admin(client, confidential):
    log_in(client, make_staff("case-officer"))
    response = client.get(reverse("admin:search"), {"q": MARKER})
    assert response.status_code == 200
    titles = found(response)
    assert f"{MARKER} draft case" in titles
    assert f"{MARKER} draft alert" in titles
    assert f"{MARKER} draft appeal" in titles
    assert "Pseudonym Seven (Zyxquorble Realname)" in titles
    draft = Case.objects.get(title=f"{MARKER} draft case")
    assert reverse("admin:cases_case_change", args=[draft.pk]) in response.content.decode()


def test_staff_find_a_protected_defender_by_alias(client, confidential):
    log_in(client, make_staff("case-officer"))
    response = client.get(reverse("admin:search"), {"q": f"Alias {MARKER}"})
    assert "Pseudonym Seven (Zyxquorble Realname)" in found(response, "defender")


def test_the_admin_search_is_for_staff_only(client, confidential):
    response = client.get(reverse("admin:search"), {"q": MARKER})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_dashboard_has_a_search_box(client, db):
    log_in(client, make_staff("case-officer"))
    page = client.get(reverse("admin:index")).content.decode()
    assert f'action="{reverse("admin:search")}"' in page


def test_the_passage_is_highlighted_and_everything_is_escaped(client, db):
    make_case(
        title="Case <b>bold</b>",
        summary='Before <script>alert("x")</script> the Glimmerstaff hearing & after.',
    )
    response = search_page(client, "Glimmerstaff")
    page = response.content.decode()
    assert "<mark>Glimmerstaff</mark>" in page
    assert "<script" not in page
    # PostgreSQL's passage drops the tags, SQLite's escapes them; both escape the rest.
    assert "alert(&quot;x&quot;)" in page
    assert "hearing &amp; after" in page
    assert "Case &lt;b&gt;bold&lt;/b&gt;" in page


def test_a_query_with_html_is_escaped(client, records):
    response = search_page(client, '<img src=x onerror="alert(1)">')
    assert response.status_code == 200
    assert "<img src=x" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * (search.MAX_QUERY_LENGTH + 1)},
        {"q": "Jardemalie\x00"},
        {"q": "line\x1bbreak"},
        {"q": "Jardemalie", "type": "sources"},
    ],
)
def test_a_query_that_cannot_be_searched_is_a_400_page(client, db, params):
    response = client.get(reverse("cases:search"), params)
    assert response.status_code == 400
    assert response.context["error"]
    assert "form-errors" in response.content.decode()


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_query_shows_the_empty_search_page(client, db, q):
    response = search_page(client, q)
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "reference code such as" in response.content.decode()


@pytest.mark.parametrize("q", ["50% _x_", "a'b", "\\", "!!!", "& | ! <->", '"unclosed'])
def test_punctuation_is_searched_without_error(client, records, q):
    assert search_page(client, q).status_code == 200


def test_each_group_is_capped_with_a_link_to_more(client, db):
    for n in range(search_size := 7):
        make_case(title=f"Florimond case {n}", slug=f"florimond-{n}")
    response = search_page(client, "Florimond")
    (group,) = [g for g in response.context["groups"] if g.kind == "case"]
    assert len(group.results) == 5
    assert group.more
    assert "type=case" in response.content.decode()
    response = search_page(client, "Florimond", type="case")
    assert len(found(response)) == search_size
    assert [g.kind for g in response.context["groups"]] == ["case"]


def _populate(n):
    for i in range(n):
        case = make_case(title=f"Kestrelwood case {i}", summary="Kestrelwood.")
        make_defender(case, public_name=f"Kestrelwood {i}", name=f"Kestrelwood {i}")
        make_alert(case, title=f"Kestrelwood alert {i}")
        make_appeal(case, title=f"Kestrelwood appeal {i}", **published_appeal_fields())
        make_recommendation(case, text=f"Kestrelwood recommendation {i}.")


def test_the_query_count_does_not_grow_with_the_results(client, db, django_assert_num_queries):
    _populate(2)
    with django_assert_num_queries(6):  # and the page cache's generation
        response = search_page(client, "Kestrelwood")
    assert len(found(response)) == 10
    _populate(6)
    with django_assert_num_queries(6):  # and the page cache's generation
        response = search_page(client, "Kestrelwood")
    assert len(found(response)) == 25
    with django_assert_num_queries(2):  # and the page cache's generation
        search_page(client, "Kestrelwood", type="alert")


def test_the_search_box_is_on_every_public_page(client, db):
    page = client.get(reverse("cases:home")).content.decode()
    assert f'action="{reverse("cases:search")}"' in page


# --- PostgreSQL: stemming, accents, misspellings, indexes --------------------------------------


@postgresql_only
@pytest.mark.parametrize(
    ("query", "kind", "expected"),
    [
        ("Jardimalie", "defender", "Botagoz Jardemalie"),
        ("Abyazov", "defender", "Mukhtar Ablyazov"),
        ("Yerimbetof", "defender", "Iskander Yerimbetov"),
        (
            "Koes Geens",
            "alert",
            "Minister of Justice Koen Geens defends the cooperation before Parliament",
        ),
    ],
)
def test_misspellings_find_the_right_records(client, jardemalie, query, kind, expected):
    assert expected in found(search_page(client, query), kind)


@postgresql_only
def test_accents_and_word_forms_do_not_matter(client, db):
    make_case(
        title="Perquisition chez l'avocate Hélène Dufrêne", summary="Les policiers ont saisi."
    )
    assert found(search_page(client, "Helene Dufrene"), "case")
    # French stemming: "saisies" and "saisi" share a stem; English: "searching" and "search".
    assert found(search_page(client, "saisies"), "case")
    make_case(title="Lawyer's home searched", summary="The police were searching for files.")
    assert "Lawyer's home searched" in found(search_page(client, "search"), "case")


@postgresql_only
def test_the_public_vector_holds_public_fields_only(db):
    case = make_case(title="Visible", summary="Shown.", internal_notes=MARKER.lower())
    with connection.cursor() as cursor:
        cursor.execute("SELECT public_search::text FROM cases_case WHERE id = %s", [case.pk])
        (vector,) = cursor.fetchone()
    assert "visibl" in vector
    assert MARKER.lower() not in vector


@postgresql_only
def test_the_vector_follows_updates_that_bypass_save(client, db):
    case = make_case(title="Before", summary="Nothing yet.")
    Case.objects.filter(pk=case.pk).update(title="Thornbury hearing")
    assert found(search_page(client, "Thornbury"), "case") == ["Thornbury hearing"]
    Case.objects.bulk_create([Case(title="Ashcombe", slug="ashcombe", **_case_fields())])
    assert found(search_page(client, "Ashcombe"), "case") == ["Ashcombe"]


def _case_fields():
    from django.utils import timezone

    return {
        "summary": "Bulk.",
        "state_of_concern": "KZ",
        "opened_on": "2020-01-01",
        "published_at": timezone.now(),
    }


@postgresql_only
@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (
            "SELECT id FROM cases_alert WHERE public_search @@ "
            "websearch_to_tsquery('english', observatory_unaccent('search'))",
            "alert_public_search_idx",
        ),
        (
            "SELECT id FROM cases_defender WHERE observatory_unaccent('Jardimalie') "
            "<% observatory_unaccent(public_name)",
            "defender_public_name_trgm_idx",
        ),
        (
            "SELECT defender_id FROM cases_alias WHERE observatory_unaccent('Jardimalie') "
            "<% observatory_unaccent(name) AND kind = 'misspelling'",
            "alias_name_trgm_idx",
        ),
        (
            "SELECT id FROM cases_appeal"
            " WHERE observatory_code_key(reference_code) LIKE '%OBS086%'",
            "appeal_code_trgm_idx",
        ),
    ],
)
def test_the_search_can_use_its_indexes(jardemalie, sql, index):
    # The tables are tiny, so the planner would rather scan them: forbid that, and the plan
    # shows that the query's expression matches the index's.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan


def test_the_sqlite_fallback_marks_words_itself():
    pieces = search.mark_words("The <b>Glimmer</b> hearing in glimmer town.", "glimmer")
    assert [text for text, match in pieces if match] == ["Glimmer", "glimmer"]
    assert "".join(text for text, _match in pieces) == "The <b>Glimmer</b> hearing in glimmer town."
