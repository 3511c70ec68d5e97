"""
The leak test: an observatory of several hundred records with a unique marker planted in every
field that is not public and in every field of every record that is not published. Every public
URL pattern is requested with every published object (and every unpublished one), with the
markers as queries, as an anonymous reader: no marker may appear in any body or header, and
every unpublished object is a 404.

A field is public only if PUBLIC below says so; every other text field gets a marker, so a new
field is confidential until someone decides otherwise. A new public URL pattern makes the test
fail until it says which objects to request it with.
"""

import datetime
import itertools
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from accounts.roles import PUBLISHER
from cases import disclosure, services
from cases.models import (
    ActionTally,
    Addressee,
    Alert,
    Alias,
    Appeal,
    Authority,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Organisation,
    Page,
    PublicationRequest,
    Recommendation,
    RecommendationUpdate,
    RequestedAction,
    Source,
    TransferLog,
    ViolationType,
)
from public.sitemaps import sitemaps

pytestmark = pytest.mark.django_db

# The fields a reader may see on a published record, as cases/disclosure.py declares them;
# every other text field gets a marker. (A PublicWhen field counts here; the records where its
# condition fails get markers below: protected defenders, private sources.)
PUBLIC = {model: disclosure.public_fields(model) for model in disclosure.DECLARATION}
# Where a condition decides: the fields public only where it holds.
CONDITIONAL = {model: disclosure.fields_of(model, disclosure.PublicWhen) for model in PUBLIC}

# A distinctive value for each non-text field the declaration hides, and how it would read
# on a page: booleans, choices and dates are classified like text, and checked the same way.
HIDDEN_CHOICES = {"risk_level": "critical", "country_of_residence": "tuvalu"}

# Namespaces that are never public: the staff workspace and its two-factor login (who may
# open which of their pages is tests/test_permission_matrix.py).
STAFF_NAMESPACES = {"admin", "two_factor"}

_serial = itertools.count(1)
_planted = []


def _marker():
    marker = f"zq{next(_serial):05d}k"
    _planted.append(marker)
    return marker


def _text_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices
    ]


def _marked(model, value_for_public, published=True, public=None, **fields):
    """Fields for `model`: a marker in each text field that is not public (or in every field)."""
    public = PUBLIC.get(model, set()) if public is None else public
    for field in _text_fields(model):
        if field.name in fields:
            continue
        value = value_for_public(field) if published and field.name in public else _marker()
        if isinstance(field, models.URLField):
            value = f"https://{value}.example.org/"
        elif isinstance(field, models.EmailField):
            value = f"{value}@example.org"
        fields[field.name] = value[: field.max_length] if field.max_length else value
    return fields


def _public_text(field):
    if isinstance(field, models.SlugField):
        return f"public-{next(_serial)}"
    if field.name == "reference_code":
        return f"KAZ {next(_serial):03d} / 0720 / OBS 086"
    if field.name == "language":
        return "en"
    return f"Public {field.name} {next(_serial)}"


def _create(model, published=True, public=None, **fields):
    return model.objects.create(**_marked(model, _public_text, published, public, **fields))


def _staff(django_user_model):
    marker = _marker()
    return django_user_model.objects.create(
        username=marker, first_name=_marker(), last_name=_marker(), email=f"{_marker()}@x.org"
    )


def _case_with_everything(published, staff, shared):
    today = datetime.date(2024, 5, 6)
    now = timezone.now()
    case = _create(
        Case,
        published=published,
        state_of_concern="KZ",
        other_states="BE",
        opened_on=datetime.date(2019, 1, 1),
        risk_level=Case.RiskLevel.CRITICAL,
        lead_officer=staff[0],
        published_at=now if published else None,
    )
    case.violation_types.add(shared["violation"])
    for protected in (False, True):
        defender = _create(
            Defender,
            published=published,
            identity_protected=protected,
            nationality="KZ",
            country_of_residence="TV",
            public=PUBLIC[Defender]
            if not protected
            else PUBLIC[Defender] - CONDITIONAL[Defender] - {"slug"},
        )
        if protected and published:
            # The pseudonym must differ from the (marked) real name, and it is public.
            assert defender.name != defender.public_name
        CaseDefender.objects.create(
            **_marked(CaseDefender, _public_text, published, case=case, defender=defender)
        )
        for _ in range(2):
            alias_public = PUBLIC[Alias] if not protected else set()
            alias_fields = _marked(
                Alias, _public_text, published, alias_public, kind=Alias.Kind.SPELLING
            )
            Alias.objects.create(defender=defender, **alias_fields)
    for n in range(6):
        alert_published = published and n < 4
        alert = _create(
            Alert,
            published=alert_published,
            case=case,
            date=today - datetime.timedelta(days=30 * n),
            kind=Alert.Kind.SEARCH,
            disputed=n == 0,
            published_at=now if alert_published else None,
        )
        alert.authorities.add(shared["authority"])
        for source in (shared["public_source"], shared["private_source"]):
            public = source.is_public and alert_published
            Citation.objects.create(
                **_marked(Citation, _public_text, public, source=source, alert=alert)
            )
        # A public source cited only here: announced only once the alert is published.
        lonely = _create(
            Source,
            published=alert_published,
            kind=Source.Kind.PRESS_ARTICLE,
            is_public=True,
        )
        Citation.objects.create(
            **_marked(Citation, _public_text, alert_published, source=lonely, alert=alert)
        )
    appeals = []
    for state in Appeal.State.values:
        appeal_published = published and state == Appeal.State.PUBLISHED
        appeal = _create(
            Appeal,
            published=appeal_published,
            case=case,
            kind=Appeal.Kind.URGENT_APPEAL,
            issuer=shared["issuer"],
            state=state,
            date=today if state in (Appeal.State.PUBLISHED, Appeal.State.WITHDRAWN) else None,
            published_at=now if state in (Appeal.State.PUBLISHED, Appeal.State.WITHDRAWN) else None,
            withdrawn_at=now if state == Appeal.State.WITHDRAWN else None,
            author=staff[0],
            reviewer=staff[1],
            published_by=staff[1] if state != Appeal.State.DRAFT else None,
        )
        RequestedAction.objects.create(
            **_marked(
                RequestedAction,
                _public_text,
                appeal_published,
                appeal=appeal,
                position=1,
                target_state="BE",
                target_authority=shared["authority"],
            )
        )
        Addressee.objects.create(appeal=appeal, authority=shared["authority"])
        appeals.append(appeal)
    for _ in range(2):
        recommendation = _create(
            Recommendation,
            published=published,
            case=case,
            target_state="BE",
            target_authority=shared["authority"],
            issuer=shared["issuer"],
            issued_on=datetime.date(2020, 3, 20),
            appeal=appeals[0] if published else None,
            source=shared["private_source"],
        )
        for n, status in enumerate(["committed", "not_implemented"]):
            update = _create(
                RecommendationUpdate,
                published=published,
                recommendation=recommendation,
                status=status,
                date=datetime.date(2021, 1 + n, 1),
                recorded_by=staff[0],
            )
            Citation.objects.create(
                **_marked(
                    Citation,
                    _public_text,
                    False,
                    source=shared["private_source"],
                    recommendation_update=update,
                )
            )
    if published:
        _protected_later(case, staff)
        _private_later(case, staff)
    PublicationRequest.objects.create(
        content_type=ContentType.objects.get_for_model(Case),
        object_id=case.pk,
        note=_marker(),
        requested_by=staff[0],
    )
    return case


def _protected_later(case, staff):
    """
    A defender recorded openly (name, public name, address and aliases all public), then
    protected: from then on none of them may appear, in a page, a feed, the sitemap or search.
    """
    real = [_marker() for _ in range(4)]
    defender = Defender.objects.create(
        name=real[0], public_name=real[1], slug=f"{real[2]}-slug", nationality="KZ"
    )
    Alias.objects.create(defender=defender, name=real[3], kind=Alias.Kind.SPELLING)
    CaseDefender.objects.create(case=case, defender=defender, description="Public description")
    pseudonym = f"Defender {next(_serial)}"
    services.protect_identity(
        defender, staff[1], public_name=pseudonym, slug=f"defender-{next(_serial)}"
    )


def _private_later(case, staff):
    """A source cited openly, then made private: its title, author and address go with it."""
    source = Source.objects.create(
        kind=Source.Kind.PRESS_ARTICLE,
        title=_marker(),
        author=_marker(),
        url=f"https://{_marker()}.example.org/",
        is_public=True,
        internal_notes=_marker(),
    )
    alert = case.alerts.filter(published_at__isnull=False).first()
    Citation.objects.create(source=source, alert=alert, quoted_passage=_marker())
    services.unpublish_source(source, staff[1])


def _pdf():
    """An attached file; its original name (file_name) is a confidential field."""
    return {
        "file": ContentFile(b"%PDF-1.4\n%%EOF\n", name="x.pdf"),
        "file_type": Source.FileType.PDF,
    }


@pytest.fixture
def observatory(django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.API_RATE = "100000/minute"  # one reader asks for everything here
    staff = (_staff(django_user_model), _staff(django_user_model))
    # The second one publishes (the services check the right to).
    staff[1].groups.add(Group.objects.get(name=PUBLISHER))
    shared = {
        "violation": _create(ViolationType),
        "issuer": _create(Organisation, kind=Organisation.Kind.NGO, country="BE"),
        "authority": _create(Authority, kind=Authority.Kind.MINISTRY, country="BE"),
        "public_source": _create(
            Source,
            kind=Source.Kind.NGO_STATEMENT,
            is_public=True,
            file_is_public=True,
            **_pdf(),
        ),
        "private_source": _create(
            Source, published=False, kind=Source.Kind.TESTIMONY, is_public=False, **_pdf()
        ),
        # A public source whose file is not public.
        "kept_file_source": _create(
            Source, kind=Source.Kind.PRESS_ARTICLE, is_public=True, **_pdf()
        ),
    }
    published = [_case_with_everything(True, staff, shared) for _ in range(5)]
    unpublished = [_case_with_everything(False, staff, shared) for _ in range(3)]
    # Related cases: a published case linked to a draft one must not announce it.
    published[0].related_cases.add(unpublished[0], published[1])
    pages = [_create(Page, published_at=timezone.now()), _create(Page, published=False)]
    # A spreadsheet exported: what staff took out is never public either.
    _create(TransferLog, published=False, direction="export", rows=1, user=staff[0])
    return {"published": published, "unpublished": unpublished, "pages": pages}


def _public_patterns():
    """(route, name) of every URL pattern outside the staff namespaces."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                space = pattern.namespace or namespace
                if space in STAFF_NAMESPACES:
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((prefix + str(pattern.pattern), name))

    walk(get_resolver().url_patterns, "", None)
    return found


def _urls_for(name, observatory):
    """{url: must be 404} for a public URL pattern, with every published and unpublished object."""
    published, unpublished = observatory["published"], observatory["unpublished"]
    public_cases = Case.objects.published()
    all_defenders = Defender.objects.all()
    published_defenders = Defender.objects.published().filter(identity_protected=False)
    by_case = {
        "cases:case_detail",
        "cases:case_timeline_feed",
        "cases:case_appeal_feed",
    }
    if name in by_case:
        cases = published + unpublished
        return {reverse(name, args=[c.slug]): c not in public_cases for c in cases}
    if name == "cases:appeal_detail":
        return {
            reverse(name, args=[a.pk]): not Appeal.objects.published().filter(pk=a.pk).exists()
            for a in Appeal.objects.all()
        }
    if name == "cases:appeal_letters":
        # Every appeal here names an addressee: a published one has its letters.
        return {
            reverse(name, args=[a.pk]): not Appeal.objects.published().filter(pk=a.pk).exists()
            for a in Appeal.objects.all()
        }
    if name == "cases:appeal_report":
        return {}  # POST only: test_reports_keep_nothing_of_the_reader below
    if name == "cases:page":
        return {reverse(name, args=[p.slug]): not p.is_published() for p in observatory["pages"]}
    if name == "cases:defender_detail":
        return {reverse(name, args=[d.slug]): d not in published_defenders for d in all_defenders}
    if name == "cases:source_file":
        public_files = Source.objects.with_public_file()
        return {reverse(name, args=[s.pk]): s not in public_files for s in Source.objects.all()}
    if name in {"cases:country_detail", "cases:country_appeal_feed"}:
        return {reverse(name, args=[code]): False for code in ("kz", "be")}
    lists = {"cases:case_list", "cases:appeal_list", "cases:recommendation_list"}
    if name in lists | {"cases:recommendation_export"}:
        url = reverse(name)
        urls = {url: False, f"{url}?state=KZ": False, f"{url}?page=2": False}
        # Every marker as a query: a search must not find what it must not show.
        for marker in _planted[::7]:
            urls[f"{url}?q={marker}"] = False
        return urls
    if name == "cases:search":
        url = reverse(name)
        urls = {f"{url}?q=public": False, f"{url}?q=public&type=alert": False}
        for marker in _planted:
            urls[f"{url}?q={marker}"] = False
        return urls
    if name == "sitemap_section":
        return {
            **{reverse(name, args=[section]): False for section in sitemaps},
            reverse(name, args=["cases"]) + "?p=2": True,  # one page holds them all
            reverse(name, args=["no-such-section"]): True,
        }
    if name.startswith("api:"):
        return _api_urls(name)
    if name in {
        "cases:home",
        "cases:appeal_feed",
        "cases:country_list",
        "cases:source_list",
        "cases:how_we_verify",
        "cases:favicon",
        "sitemap",
        "robots_txt",
    }:
        return {reverse(name): False}
    return None


# The API's records, and which of them it serves (every other one is a 404).
API_DETAIL = {
    "api:case-detail": (Case, "slug", lambda: Case.objects.published()),
    "api:alert-detail": (Alert, "pk", lambda: Alert.objects.published()),
    "api:appeal-detail": (Appeal, "pk", lambda: Appeal.objects.published()),
    "api:recommendation-detail": (
        Recommendation,
        "pk",
        lambda: Recommendation.objects.published(),
    ),
    "api:defender-detail": (
        Defender,
        "slug",
        lambda: Defender.objects.published().filter(identity_protected=False),
    ),
    "api:source-detail": (Source, "pk", lambda: Source.objects.published()),
    "api:violationtype-detail": (ViolationType, "slug", lambda: ViolationType.objects.all()),
}


def _api_urls(name):
    """Every record at its API address; every list, with each published case and markers."""
    if name in API_DETAIL:
        model, key, served = API_DETAIL[name]
        shown = set(served().values_list("pk", flat=True))
        return {
            reverse(name, args=[getattr(obj, key)]): obj.pk not in shown
            for obj in model.objects.all()
        }
    url = reverse(name)
    urls = {url: False}
    if name in {"api:schema"}:
        urls[f"{url}?format=json"] = False
    if name == "api:case-list":
        urls[f"{url}?state=KZ"] = False
        for marker in _planted[::7]:
            urls[f"{url}?q={marker}"] = False
    if name in {"api:alert-list", "api:appeal-list", "api:recommendation-list"}:
        for case in Case.objects.published():
            urls[f"{url}?case={case.slug}"] = False
    return urls


def _assert_clean(url, response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode(errors="replace").lower()
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items()).lower()
    # A query is echoed back to whoever typed it ("results for …"): that is not a leak.
    found = {m for m in _planted if (m in body or m in headers) and m not in url}
    assert not found, f"{url} shows {sorted(found)[:5]}"
    for field, shown in HIDDEN_CHOICES.items():
        assert shown not in body, f"{url} shows the planted {field}"


def test_no_marker_reaches_any_public_url(client, observatory):
    """Every public address in every language (/fr/..., /es/..., /ru/...): a translation is
    disclosed like its original, and markers are planted in every language's columns. The
    addresses that are the same in every language (the API, the sitemap) are requested once."""
    for language, _name in settings.LANGUAGES:
        _no_marker_in(client, observatory, language)


def _no_marker_in(client, observatory, language):
    assert len(_planted) > 500
    records = sum(
        m.objects.count()
        for m in apps.get_app_config("cases").get_models()
        if not m.__name__.startswith("Historical")
    )
    assert records >= 200
    requested = 0
    unclassified = []
    translation.activate(language)  # the patterns' routes carry its prefix (fr/...)
    for route, name in _public_patterns():
        # Each request activates its address's language: the next addresses are built anew in
        # the language under test.
        translation.activate(language)
        urls = _urls_for(name, observatory)
        if urls is None:
            unclassified.append(f"{route} ({name})")
            continue
        if language != settings.LANGUAGE_CODE and not str(route).startswith(f"{language}/"):
            continue  # an address without a language: requested in the default language
        for url, must_be_404 in urls.items():
            response = client.get(url)
            requested += 1
            if must_be_404:
                assert response.status_code == 404, url
            else:
                assert response.status_code == 200, url
            _assert_clean(url, response)
    assert not unclassified, f"say how to request these public URLs here: {unclassified}"
    assert requested > (100 if language == settings.LANGUAGE_CODE else 50)


def test_error_pages_show_no_marker(client, observatory):
    marker = _planted[0]
    for url in [
        f"/no-such-page-{marker}/",
        f"/cases/?state={marker}",
        f"/cases/?year={marker}",
        f"/appeals/?kind={marker}",
        f"/cases/?q={'x' * 1000}",
        f"/cases/?page={marker}",
    ]:
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        _assert_clean(url, response)


def test_the_published_records_are_shown(client, observatory):
    """The test would pass on an empty site; this proves the public pages do show things."""
    case = observatory["published"][0]
    page = client.get(case.get_absolute_url()).content.decode()
    assert case.title in page and case.summary in page
    alert = case.alerts.filter(published_at__isnull=False).first()
    assert alert.title in page and alert.description in page
    for shown in case.defenders.filter(identity_protected=True):
        assert shown.public_name in page
    assert re.search(r"Public quoted_passage \d+", page)  # a public source's citation


def test_markers_are_planted_in_every_confidential_field(observatory):
    """Each field outside PUBLIC holds a marker on some record: nothing escapes the test."""
    for model in apps.get_app_config("cases").get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in _text_fields(model):
            if field.name in PUBLIC.get(model, set()) and model not in (Alias, Citation):
                continue
            values = model.objects.values_list(field.name, flat=True)
            assert any(v and "zq" in v for v in values), f"{model.__name__}.{field.name}"


def _every_stored_value():
    """Every value of every row of every table, as text: what the database holds."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                yield from (str(value) for value in row)


def test_reports_and_letters_keep_nothing_of_the_reader(client, observatory, settings):
    """
    A reader's report counts, and a reader's letter comes back to them; neither leaves a
    trace of what they typed or of where they came from in the database or the cache.
    """
    from django.core.cache import cache

    appeal = Appeal.objects.published().first()
    addressee = appeal.addressees.get()
    address = "203.0.113.77"
    typed = _marker()
    cache.clear()
    response = client.post(
        reverse("cases:appeal_report", args=[appeal.pk]),
        {"addressee": [str(addressee.pk), typed], "name": typed, "email": f"{typed}@x.org"},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=typed,
    )
    assert response.status_code == 200
    assert ActionTally.objects.get(appeal=appeal, addressee=None).count == 1
    assert ActionTally.objects.get(appeal=appeal, addressee=addressee).count == 1
    letter = client.post(
        reverse("cases:appeal_letters", args=[appeal.pk]),
        {"body": f"My name is {typed}."},
        REMOTE_ADDR=address,
    )
    assert letter.status_code == 200 and typed in letter.content.decode()
    assert "no-store" in letter["Cache-Control"]
    stored = " ".join(_every_stored_value())
    assert typed not in stored and address not in stored
    cached = " ".join(
        str(key) + repr(value)
        for key, value in getattr(cache, "_cache", {}).items()  # the local-memory cache
    )
    assert typed not in cached and address not in cached
