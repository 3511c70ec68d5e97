"""
The public API (api/): what it shows is derived from the disclosure declaration and the
published() querysets; links, cursor pages, conditional requests, CORS, the rate limit (and
the cache failing under it), the page cache, and query counts independent of size.
"""

import datetime
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers as drf

from api import disclosed
from api import serializers as api_serializers
from api.throttling import ResilientAnonRateThrottle
from cases import disclosure
from cases.models import Alert, Appeal, Case, Defender, RecommendationStatus, Source
from tests.factories import (
    make_alert,
    make_appeal,
    make_authority,
    make_case,
    make_citation,
    make_defender,
    make_recommendation,
    make_source,
    make_update,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    # Most tests look at what the views answer; the page cache has its own test below.
    settings.PUBLIC_CACHE = False


def get(client, url, **headers):
    response = client.get(url, **headers)
    return response, (json.loads(response.content) if response.content else None)


# --- Derived from the declaration ----------------------------------------------------------


def test_every_model_field_shown_is_a_public_one_and_every_public_one_is_shown():
    for serializer_class in (
        api_serializers.CaseSerializer,
        api_serializers.AlertSerializer,
        api_serializers.AppealSerializer,
        api_serializers.RecommendationSerializer,
        api_serializers.DefenderSerializer,
        api_serializers.SourceSerializer,
        api_serializers.ViolationTypeSerializer,
    ):
        model = serializer_class.Meta.model
        fields = serializer_class().fields
        model_fields = {
            f.source for f in fields.values() if f.source in disclosure.DECLARATION[model]
        }
        public = disclosure.public_fields(model)
        assert model_fields <= public, serializer_class
        plain = {
            f.name for f in model._meta.concrete_fields if not f.is_relation and f.name in public
        } - set(getattr(serializer_class.Meta, "exclude_public", ()))
        assert plain <= model_fields, (serializer_class, plain - model_fields)


@pytest.mark.parametrize(
    "attrs",
    [
        {"Meta": type("Meta", (), {"model": Case, "fields": ("internal_notes",)})},
        {
            "notes": drf.CharField(source="internal_notes"),
            "Meta": type("Meta", (), {"model": Case}),
        },
        {"level": drf.CharField(source="risk_level"), "Meta": type("Meta", (), {"model": Case})},
        {
            "officer": drf.CharField(source="lead_officer"),
            "Meta": type("Meta", (), {"model": Case}),
        },
        {
            "notes": drf.CharField(source="case.internal_notes"),
            "Meta": type("Meta", (), {"model": Alert}),
        },
        {
            "home": drf.CharField(source="defender.country_of_residence"),
            "Meta": type("Meta", (), {"model": api_serializers.CaseDefender}),
        },
        {"file": drf.CharField(source="file_name"), "Meta": type("Meta", (), {"model": Source})},
        # Not a field at all: nothing says who may see it.
        {
            "x": drf.CharField(source="get_next_by_created_at"),
            "Meta": type("Meta", (), {"model": Case}),
        },
        # A prefetched attribute not declared as derived from a public relation.
        {
            "x": drf.ListField(source="public_notes"),
            "Meta": type("Meta", (), {"model": Case}),
        },
    ],
)
def test_a_confidential_or_internal_field_cannot_be_serialized_even_when_named(attrs):
    serializer_class = type("Named", (disclosed.DisclosedSerializer,), attrs)
    with pytest.raises(ImproperlyConfigured):
        serializer_class().fields  # noqa: B018


def test_one_line_in_the_declaration_takes_a_field_out_of_the_api(monkeypatch, client):
    case = make_case()
    monkeypatch.setitem(disclosure.DECLARATION[Case], "summary", disclosure.CONFIDENTIAL)
    assert "summary" not in api_serializers.CaseSerializer().fields
    response, data = get(client, reverse("api:case-detail", args=[case.slug]))
    assert response.status_code == 200
    assert "summary" not in data and case.summary not in response.content.decode()


def test_no_confidential_value_in_any_answer(client):
    case = make_case(internal_notes="zqcasenotes", risk_level=Case.RiskLevel.CRITICAL)
    protected = make_defender(
        case,
        name="Zqrealname Person",
        public_name="Defender A",
        slug="zqslug-of-protected",
        identity_protected=True,
        contact_details="zqcontact",
        country_of_residence="TV",
    )
    protected.aliases.create(name="Zqalias", kind="spelling")
    alert = make_alert(case, internal_notes="zqalertnotes")
    alert.defenders.add(protected)
    private = make_source(is_public=False, title="zqprivatetitle", internal_notes="zqsrcnotes")
    make_citation(source=private, alert=alert, quoted_passage="zqprivatequote")
    recommendation = make_recommendation(case, source=private)
    make_update(recommendation, RecommendationStatus.COMMITTED, datetime.date(2021, 1, 1))
    draft = make_appeal(case, internal_notes="zqappealnotes", title="zqdraftappeal")
    alert.appeal = draft
    alert.save()
    bodies = []
    for name in ("case", "alert", "appeal", "recommendation", "defender", "source"):
        bodies.append(client.get(reverse(f"api:{name}-list")).content.decode())
    bodies.append(client.get(reverse("api:case-detail", args=[case.slug])).content.decode())
    bodies.append(client.get(reverse("api:alert-detail", args=[alert.pk])).content.decode())
    text = " ".join(bodies).lower()
    assert "zq" not in text
    assert "tuvalu" not in text and '"tv"' not in text and "critical" not in text
    _, data = get(client, reverse("api:alert-detail", args=[alert.pk]))
    assert data["appeal"] is None  # a draft appeal is not even linked
    assert data["citations"] == []  # a private source's citation is not shown
    (shown,) = data["defenders"]
    assert shown["public_name"] == "Defender A"
    assert shown["name"] is None and shown["api_url"] is None and "slug" not in shown
    _, data = get(client, reverse("api:recommendation-detail", args=[recommendation.pk]))
    assert data["source"] is None


def test_unpublished_records_are_404(client):
    draft_case = make_case(published=False)
    case = make_case()
    hidden = [
        reverse("api:case-detail", args=[draft_case.slug]),
        reverse("api:alert-detail", args=[make_alert(case, published=False).pk]),
        reverse("api:alert-detail", args=[make_alert(draft_case).pk]),
        reverse("api:appeal-detail", args=[make_appeal(case).pk]),
        reverse(
            "api:appeal-detail", args=[make_appeal(draft_case, **published_appeal_fields()).pk]
        ),
        reverse("api:recommendation-detail", args=[make_recommendation(draft_case).pk]),
        reverse(
            "api:defender-detail",
            args=[make_defender(case, identity_protected=True, public_name="Someone").slug],
        ),
        reverse("api:defender-detail", args=[make_defender(draft_case).slug]),
        reverse("api:source-detail", args=[make_source(is_public=False).pk]),
        # Public, but cited nowhere published.
        reverse("api:source-detail", args=[make_source().pk]),
    ]
    for url in hidden:
        assert client.get(url).status_code == 404, url


def test_resources_link_to_each_other(client):
    case = make_case()
    other = make_case()
    case.related_cases.add(other, make_case(published=False))
    defender = make_defender(case)
    defender.aliases.create(name="Another spelling", kind="spelling")
    appeal = make_appeal(case, **published_appeal_fields())
    appeal.requested_actions.create(position=1, text="Release him.", target_state="KZ")
    appeal.addressees.create(authority=make_authority())
    alert = make_alert(case, appeal=appeal)
    source = make_source()
    make_citation(source=source, alert=alert, quoted_passage="As printed.")
    _, data = get(client, reverse("api:case-detail", args=[case.slug]))
    assert [c["slug"] for c in data["related_cases"]] == [other.slug]
    assert data["defenders"][0]["defender"]["api_url"].endswith(
        reverse("api:defender-detail", args=[defender.slug])
    )
    assert data["page"].endswith(case.get_absolute_url())
    _, timeline = get(client, data["timeline"].removeprefix("http://testserver"))
    (item,) = timeline["results"]
    assert item["api_url"].endswith(reverse("api:alert-detail", args=[alert.pk]))
    assert item["appeal"].endswith(reverse("api:appeal-detail", args=[appeal.pk]))
    assert item["citations"][0]["source"].endswith(reverse("api:source-detail", args=[source.pk]))
    assert item["citations"][0]["quoted_passage"] == "As printed."
    _, shown = get(client, item["appeal"].removeprefix("http://testserver"))
    assert shown["requested_actions"][0]["text"] == "Release him."
    assert shown["addressees"][0]["authority"]["salutation"] == "Dear Minister,"
    _, profile = get(client, reverse("api:defender-detail", args=[defender.slug]))
    assert [a["name"] for a in profile["aliases"]] == ["Another spelling"]
    assert [c["slug"] for c in profile["cases"]] == [case.slug]


def test_a_source_file_is_linked_only_when_public(client, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    alert = make_alert(case)
    pdf = b"%PDF-1.4\n%%EOF\n"
    kept = make_source(file=ContentFile(pdf, name="witness.pdf"), file_type="application/pdf")
    shared = make_source(
        file=ContentFile(pdf, name="statement.pdf"),
        file_type="application/pdf",
        file_is_public=True,
    )
    for source in (kept, shared):
        make_citation(source=source, alert=alert)
    _, data = get(client, reverse("api:source-detail", args=[kept.pk]))
    assert data["file_url"] is None and data["file_type"] is None and "file_name" not in data
    assert "witness" not in json.dumps(data)
    _, data = get(client, reverse("api:source-detail", args=[shared.pk]))
    assert data["file_url"].endswith(reverse("cases:source_file", args=[shared.pk]))


# --- Filters and pages ---------------------------------------------------------------------


def test_lists_take_the_public_filters_and_refuse_unknown_values(client):
    kz = make_case(state_of_concern="KZ")
    make_case(state_of_concern="BY")
    _, data = get(client, reverse("api:case-list") + "?state=KZ")
    assert [c["slug"] for c in data["results"]] == [kz.slug]
    response, data = get(client, reverse("api:case-list") + "?state=XX")
    assert response.status_code == 400 and "state" in data
    response, data = get(client, reverse("api:case-list") + "?year=20x9")
    assert response.status_code == 400
    response, _ = get(client, reverse("api:alert-list") + "?case=no-such-case")
    assert response.status_code == 400


def test_cursor_pages_walk_every_record_once(client, settings):
    settings.API_PAGE_SIZE = 3
    cases = [make_case() for _ in range(8)]
    seen, url = [], reverse("api:case-list")
    while url:
        response, data = get(client, url)
        assert response.status_code == 200
        seen += [c["slug"] for c in data["results"]]
        url = data["next"] and data["next"].removeprefix("http://testserver")
    assert seen == [c.slug for c in cases]
    assert client.get(reverse("api:case-list") + "?cursor=garbage").status_code == 404


# --- HTTP ----------------------------------------------------------------------------------


def test_conditional_requests_get_304(client):
    case = make_case()
    url = reverse("api:case-detail", args=[case.slug])
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not again.content
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    case.title = "A new title"
    case.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_cors_allows_any_origin_to_read_and_nothing_else(client):
    case = make_case()
    url = reverse("api:case-detail", args=[case.slug])
    response = client.get(url, HTTP_ORIGIN="https://partner.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        url,
        HTTP_ORIGIN="https://partner.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    assert client.post(url, HTTP_ORIGIN="https://partner.example.org").status_code == 405
    assert client.options(url)["Allow"] == "GET, HEAD, OPTIONS"
    # The site's own pages are not opened to other origins.
    page = client.get(case.get_absolute_url(), HTTP_ORIGIN="https://partner.example.org")
    assert "Access-Control-Allow-Origin" not in page


def test_the_rate_limit_answers_429_with_retry_after(client, settings):
    settings.API_RATE = "3/minute"
    url = reverse("api:violationtype-list")
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(url)
    assert int(refused["Retry-After"]) > 0
    # Another reader is counted apart.
    assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 200


class BrokenCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("the cache is down")

    set = add = delete = get


def test_a_cache_fault_lets_the_request_through_instead_of_a_500(client, monkeypatch, settings):
    settings.API_RATE = "3/minute"
    monkeypatch.setattr(ResilientAnonRateThrottle, "cache", BrokenCache())
    url = reverse("api:violationtype-list")
    assert [client.get(url).status_code for _ in range(5)] == [200] * 5


def test_the_resilient_cache_down_under_the_rate_limit(client, monkeypatch, settings):
    """The project's own Redis cache pointing at nothing: every request still answers."""
    from public.cache_backend import ResilientRedisCache

    down = ResilientRedisCache(
        "redis://127.0.0.1:1/0",
        {"OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05}},
    )
    settings.API_RATE = "3/minute"
    monkeypatch.setattr(ResilientAnonRateThrottle, "cache", down)
    url = reverse("api:violationtype-list")
    assert [client.get(url).status_code for _ in range(5)] == [200] * 5


def test_answers_go_through_the_page_cache(client, settings):
    settings.PUBLIC_CACHE = True
    make_case()
    url = reverse("api:case-list") + "?state=KZ"
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        cached = client.get(url)
    assert len(queries) == 1  # the generation: the answer came from the cache
    assert cached.content == first.content and cached["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_case(state_of_concern="KZ")  # a public change: never a stale answer
    assert len(json.loads(client.get(url).content)["results"]) == 2


def test_the_documentation_page_is_served_here_under_the_strict_policy(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script" not in body and "style=" not in body
    for path in ("/api/v1/cases/", "/api/v1/alerts/{id}/", "/api/v1/recommendations/"):
        assert path in body
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    schema = client.get(reverse("api:schema") + "?format=json")
    assert schema.status_code == 200
    assert json.loads(schema.content)["openapi"].startswith("3.")


# --- Query counts --------------------------------------------------------------------------


def _observatory(n):
    """n published cases, each with defenders, alerts citing sources, an appeal with its
    actions and addressees, recommendations with updates."""
    authority = make_authority()
    for _ in range(n):
        case = make_case()
        case.related_cases.add(make_case())
        for _ in range(2):
            defender = make_defender(case)
            defender.aliases.create(name=f"Alias of {defender.pk}", kind="spelling")
        appeal = make_appeal(case, **published_appeal_fields())
        appeal.requested_actions.create(position=1, text="Act.", target_state="BE")
        appeal.addressees.create(authority=authority)
        for _ in range(3):
            alert = make_alert(case, appeal=appeal)
            alert.authorities.add(authority)
            make_citation(alert=alert)
        recommendation = make_recommendation(case, appeal=appeal, source=make_source())
        update = make_update(recommendation, RecommendationStatus.COMMITTED, timezone.localdate())
        make_citation(recommendation_update=update)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _urls():
    case = Case.objects.published().order_by("pk").first()
    return [
        reverse("api:case-list"),
        reverse("api:case-detail", args=[case.slug]),
        reverse("api:alert-list"),
        reverse("api:alert-list") + f"?case={case.slug}",
        reverse("api:alert-detail", args=[case.alerts.first().pk]),
        reverse("api:appeal-list"),
        reverse("api:appeal-detail", args=[Appeal.objects.filter(case=case).get().pk]),
        reverse("api:recommendation-list"),
        reverse("api:recommendation-detail", args=[case.recommendations.get().pk]),
        reverse("api:defender-list"),
        reverse("api:defender-detail", args=[Defender.objects.order_by("pk").first().slug]),
        reverse("api:source-list"),
        reverse("api:violationtype-list"),
        reverse("api:country-list"),
    ]


def test_query_counts_do_not_depend_on_size(client, settings, django_assert_num_queries):
    settings.API_PAGE_SIZE = 50
    _observatory(2)
    small = {url: _queries(client, url) for url in _urls()}
    _observatory(12)
    for url, count in small.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200, url
