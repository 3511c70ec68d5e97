"""
Caching of anonymous public pages.

The rules (DESIGN.md §6): the cache is an optimisation, never a dependency; no page older
than the last public change is ever served; a change that touches nothing public invalidates
nothing.

**Never stale, whatever the cache does.** The generations of the public pages live in the
database (`PageGeneration`), not in the cache. A write that changes what the public
sees bumps them in its own transaction, so the bump commits or rolls back with the change. A
request reads its page's generations first (one indexed query), then the page; a page is stored
with the generation read *before* it was rendered and served only while that is still the
one in the database. A cache restarted from an old snapshot, or one that evicted anything,
can bring back only pages of older generations, which are never served. Reading the
generation before rendering is what makes one bump per write enough: a request that read the
old rows read the old generation too. Writes that bypass signals (queryset.update(),
bulk_create(), raw SQL, a restore) must call `invalidate_public_pages()`, which sets a fresh
random generation (a restored database may hold a generation pages were stored under).

**Invalidate only what a change can affect**, derived from the disclosure declaration
(cases/disclosure.py): a save bumps the generation only if it changes a public or
publication field (`public_fields`) of a record that is public, was public, or (for parts of
a record: citations, requested actions...) belongs to one that is. A draft, an internal note
or a confidential field changes nothing a public page shows, and leaves every page cached.
A public change to a case's parts (its alerts, appeals, recommendations, their citations,
requested actions, addressees, updates, its defender links) makes stale the pages of that
case and the pages every change touches (lists, feeds, search, home...), never the other
cases' pages, which do not show them. Any other public change (a case itself, which other
cases' pages name; a defender, a source, a term, a site page) makes every page stale: there,
working out which pages one change touches is where stale and leaked pages would come from.
The three kinds of generation are rows of `PageGeneration` (see `page_generation`).

**Never a dependency.** Every cache call goes through a backend that answers a fault as a miss
(public/cache_backend.py: short timeouts, a circuit breaker, one log line per outage); the
save path does not touch the cache at all, so no cache fault can fail or roll back a save.

**One render per page after a change (single flight).** On a miss, the first request takes a
short lock in the cache and renders; the others wait for its page (polling for at most
RENDER_WAIT_SECONDS), and render themselves only if the lock holder gives up. They never
serve a page of an older generation meanwhile.

**Bounded.** A page is stored only when every query parameter of its URL is one the view
reads (`PARAMETERS`): random query strings are rendered but not stored, so they cannot fill
the cache. Run the cache's Redis with a memory limit and `allkeys-lru` (README).

**Compressed.** Pages are stored compressed with Brotli and gzip (a 145 KB case page is
about 10 KB), sent as they are to clients that accept either and decompressed for the
others; each carries an ETag and a conditional GET gets a 304. Compressing responses is
safe here against BREACH-style attacks because a public page carries no secret: no CSRF
token, no session, nothing that differs between readers (pages for anyone with a cookie are
never cached).

Local memory (the default) is per process: production with several workers must set
REDIS_URL. The generations being in the database, several processes still never serve a
stale page; each just has its own copies.
"""

import gzip
import hashlib
import secrets
import time

import brotli
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, Q, Subquery
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from cases.models import PageGeneration

# Responses that vary on anything else than the language (which is in the key), the cookie (no
# cookie, no session: the page is the anonymous one) or the encoding (handled here) are not
# stored.
_ALLOWED_VARY = {"cookie", "accept-language", "accept-encoding"}
# How long a render may hold its page's lock, and how long the others wait for it.
RENDER_LOCK_SECONDS = 10
RENDER_WAIT_SECONDS = 3.0
_POLL_SECONDS = 0.02


# --- The generations, in the database ------------------------------------------------------

# PageGeneration.scope of the row bumped by every public change: it makes stale the lists,
# feeds, search, the home page, every page that is not one case's.
_EVERY_CHANGE = 0
# The row bumped by a public change that is not to one case's parts (a case itself, a
# defender, a source, a vocabulary term, a site page...): it can touch any page.
_SITE = -1
# The pages of one case (its page, its feeds, its appeals' pages and letters) are served while
# the _SITE row and their case's own row (scope: the case's primary key) are what they were
# rendered under. A case's row is bumped by changes to its alerts, appeals, recommendations
# and their parts, which no other case's page shows.
_CASE_PAGES = {
    "cases:case_detail": "slug",
    "cases:case_timeline_feed": "slug",
    "cases:case_appeal_feed": "slug",
    "cases:appeal_detail": "pk",
    "cases:appeal_letters": "pk",
}


def _new_generation():
    # Random rather than counted from 1: a generation a page was stored under is never
    # handed out again, even after the row was lost or restored from a backup.
    return secrets.randbelow(2**62)


def _rows(using):
    return PageGeneration.objects.using(using)


def _bump(scope, using):
    """
    Increment the row of `scope`, creating it (at a random generation) if missing. The row
    stays locked until the caller's transaction ends, which orders the public changes: a
    request sees the new generation exactly when it can see the change. Created or not, the
    row is incremented under that lock, so two transactions creating it at once still end on
    two different generations.
    """
    now = timezone.now()
    rows = _rows(using).filter(scope=scope)
    if not rows.update(generation=F("generation") + 1, changed_at=now):
        _rows(using).bulk_create(
            [PageGeneration(scope=scope, generation=_new_generation(), changed_at=now)],
            ignore_conflicts=True,
        )
        rows.update(generation=F("generation") + 1, changed_at=now)


def _reset(scope, using):
    value, now = _new_generation(), timezone.now()
    if not _rows(using).filter(scope=scope).update(generation=value, changed_at=now):
        _rows(using).bulk_create(
            [PageGeneration(scope=scope, generation=value, changed_at=now)],
            ignore_conflicts=True,
        )


def current_generation(using=DEFAULT_DB_ALIAS):
    """The generation every public change bumps."""
    found = _rows(using).filter(scope=_EVERY_CHANGE).values_list("generation", flat=True)
    for generation in found:
        return generation
    invalidate_public_pages(using)
    return found.get()


def last_public_change(using=DEFAULT_DB_ALIAS):
    """When the public last saw a change (None before the first one)."""
    return _rows(using).filter(scope=_EVERY_CHANGE).values_list("changed_at", flat=True).first()


def page_generation(match, using=DEFAULT_DB_ALIAS):
    """
    What a page is valid under, read with one query before it is rendered: for the pages of
    one case, the site's generation and that case's; for any other page, the generation every
    public change bumps.
    """
    from cases.models import Appeal, Case

    argument = _CASE_PAGES.get(match.view_name) if match is not None else None
    if argument is None:
        return ("every", current_generation(using))
    if argument == "slug":
        case = Case.objects.using(using).filter(slug=match.kwargs["slug"]).values("pk")
    else:
        case = Appeal.objects.using(using).filter(pk=match.kwargs["pk"]).values("case_id")
    rows = dict(
        _rows(using)
        .filter(Q(scope=_SITE) | Q(scope=Subquery(case[:1])))
        .values_list("scope", "generation")
    )
    if _SITE not in rows:
        invalidate_public_pages(using)
        return page_generation(match, using)
    site = rows.pop(_SITE)
    return ("case", site, *rows.values())


def public_change(using=DEFAULT_DB_ALIAS, case_pk=None):
    """
    What the public sees has changed, in the caller's transaction: the pages of the case
    `case_pk`, or any page when `case_pk` is None. The row of every change is always the
    first one locked, so two transactions never wait on each other's rows in a cycle.
    """
    _bump(_EVERY_CHANGE, using)
    _bump(_SITE if case_pk is None else case_pk, using)


def invalidate_public_pages(using=DEFAULT_DB_ALIAS):
    """Make every cached public page stale: after writes no signal sees."""
    _reset(_EVERY_CHANGE, using)
    _reset(_SITE, using)


# --- Which writes change what the public sees (from cases/disclosure.py) -------------------


def _published_flag(obj):
    """Whether `obj` is public by its own publication field; None for a model without one."""
    from cases.models import Alert, Appeal, Case, Source

    if isinstance(obj, (Case, Alert)):
        return obj.published_at is not None
    if isinstance(obj, Appeal):
        return obj.state == Appeal.State.PUBLISHED
    if isinstance(obj, Source):
        return obj.is_public
    return None


# Parts of a record: public only as part of a public record (a citation of a draft alert, a
# requested action of a draft appeal are seen by nobody).
_PARENTS = {
    "Citation": "alert",
    "RequestedAction": "appeal",
    "Addressee": "appeal",
    "CaseDefender": "case",
    "Recommendation": "case",
    "RecommendationUpdate": "recommendation",
    "Alert": "case",
    "Appeal": "case",
}


def may_be_public(obj):
    """
    Whether `obj` is, as far as this record and its parent say, shown to the public. It
    errs towards yes: a record with no publication field of its own (a defender, a vocabulary
    term, an authority) counts as public.
    """
    flag = _published_flag(obj)
    if flag is False:
        return False
    parent = _PARENTS.get(type(obj).__name__)
    if parent is not None:
        try:
            related = getattr(obj, parent)
        except ObjectDoesNotExist:
            return True  # being deleted with its parent: count it
        if related is not None:
            return may_be_public(related)
    return True


def case_of(obj):
    """
    The primary key of the case whose pages alone show `obj` (an alert, an appeal, a
    recommendation, a case's defender link, or a part of one of them), None for a record any
    page may show (a case itself: other cases' pages name it; a defender, a source, a term).
    """
    name = type(obj).__name__
    try:
        if name in ("Alert", "Appeal", "Recommendation", "CaseDefender"):
            return obj.case_id
        if name in ("RequestedAction", "Addressee"):
            return obj.appeal.case_id
        if name == "RecommendationUpdate":
            return obj.recommendation.case_id
        if name == "Citation":
            if obj.alert_id is not None:
                return obj.alert.case_id
            if obj.recommendation_update_id is not None:
                return obj.recommendation_update.recommendation.case_id
    except ObjectDoesNotExist:
        return None  # being deleted with what it belongs to
    return None


def _scope(instance, before=None):
    """The case whose pages a change to `instance` can touch; None for any page."""
    case = case_of(instance)
    if case is not None and before is not None and case_of(before) != case:
        return None  # moved from one case to another
    return case


_tracked = {}


def tracked_fields(model):
    """The concrete fields of `model` a public page can show: public and publication ones."""
    if model not in _tracked:
        from cases.disclosure import public_fields

        names = public_fields(model)
        _tracked[model] = [f for f in model._meta.concrete_fields if f.name in names]
    return _tracked[model]


def _value(model_field, obj):
    value = model_field.value_from_object(obj)
    try:
        return model_field.get_prep_value(value)
    except (TypeError, ValueError):
        return value


_UNTOUCHED = "untouched"


def before_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    """pre_save: keep the public fields of the stored row, to compare once it is saved."""
    if raw:
        return
    fields = tracked_fields(sender)
    if not fields or (
        update_fields is not None and not {f.name for f in fields} & set(update_fields)
    ):
        instance._public_before = _UNTOUCHED
        return
    if instance._state.adding or instance.pk is None:
        instance._public_before = None
        return
    instance._public_before = (
        sender._base_manager.using(using)
        .only(*(f.name for f in fields))
        .filter(pk=instance.pk)
        .first()
    )


def after_save(sender, instance, created=False, raw=False, using=None, **kwargs):
    """post_save: bump the generation if the save changed what a public page can show."""
    if raw:  # loaddata: no record of what was there before
        public_change(using)
        return
    before = instance.__dict__.pop("_public_before", None)
    if before == _UNTOUCHED:
        return
    if before is not None:
        fields = tracked_fields(sender)
        if all(_value(f, before) == _value(f, instance) for f in fields):
            return
    if may_be_public(instance) or (before is not None and may_be_public(before)):
        public_change(using, _scope(instance, before))


def after_delete(sender, instance, using=None, **kwargs):
    if tracked_fields(sender) and may_be_public(instance):
        public_change(using, _scope(instance))
    if sender._meta.label == "cases.Case":
        _rows(using).filter(scope=instance.pk).delete()  # its pages are gone with it


def after_m2m_change(sender, instance, action, reverse, using=None, **kwargs):
    if sender._meta.app_label != "cases" or not action.startswith("post_"):
        return
    if not reverse:
        from cases.disclosure import public_fields

        names = [
            f.name for f in type(instance)._meta.many_to_many if f.remote_field.through is sender
        ]
        if names and not set(names) & public_fields(type(instance)):
            return
        if not may_be_public(instance):
            return
        public_change(using, _scope(instance))
        return
    public_change(using)


# --- Keys --------------------------------------------------------------------------------


def _parameters():
    from .filters import AppealFilter, CaseFilter, RecommendationFilter

    return {
        "cases:case_list": {*CaseFilter.base_filters, "page"},
        "cases:appeal_list": {*AppealFilter.base_filters, "page"},
        "cases:recommendation_list": {*RecommendationFilter.base_filters, "page"},
        "cases:recommendation_export": {*RecommendationFilter.base_filters},
        "cases:source_list": {"page"},
        "cases:search": {"q", "type"},
        "sitemap_section": {"p"},
    }


_parameters_of = {}


def page_language(request):
    """The language of the page at `request`'s address: its prefix (/fr/...), or the default."""
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def page_match(request):
    """The URL pattern `request` matches, or None (before LocaleMiddleware has run: the
    language of the address is what resolves its prefix)."""
    try:
        with translation.override(page_language(request)):
            return resolve(request.path_info)
    except Resolver404:
        return None


def parameters(match):
    """The query parameters the page of `match` reads (none for most pages)."""
    if not _parameters_of:
        _parameters_of.update(_parameters())
    if match is None:
        return set()
    # A view may say what it reads itself (the API's lists: their filters and cursor).
    return _parameters_of.get(match.view_name, getattr(match.func, "cache_parameters", set()))


def page_key(request, match=None):
    """
    One entry per absolute URL (scheme, host, path and query: feeds and the sitemap print
    absolute links; pages print their canonical URL), language and day (the tracker counts
    what is overdue *today*). None when the query has a parameter the page does not read:
    such a URL is rendered but not stored, so random query strings cannot fill the cache.
    """
    if match is None:
        match = page_match(request)
    if request.GET and not set(request.GET) <= parameters(match):
        return None
    language = page_language(request)
    url = request.build_absolute_uri()
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()
    return f"public-pages:page:{language}:{timezone.localdate().isoformat()}:{digest}"


# --- The middleware ----------------------------------------------------------------------


def _cache_available():
    is_available = getattr(cache, "is_available", None)
    return is_available() if is_available is not None else True


def _valid(entry, generation):
    if isinstance(entry, dict) and entry.get("generation") == generation:
        return entry
    return None


# The encodings a page is stored in, best first; identity is decompressed from gzip.
_ENCODINGS = ("br", "gzip")


def preferred_encoding(request):
    """
    The stored encoding to send (br or gzip), or None for the plain page, from the client's
    Accept-Encoding (RFC 9110 12.5.3: q-values, "*" for any coding not named, q=0 refuses).
    """
    weights = {}
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        if not coding:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.lower()] = weight
    ranked = [(weights.get(c, weights.get("*", 0.0)), -i, c) for i, c in enumerate(_ENCODINGS)]
    weight, _order, coding = max(ranked)
    return coding if weight > 0 else None


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def __call__(self, request):
        if not self.is_cacheable_request(request):
            return self.get_response(request)
        match = page_match(request)
        key = page_key(request, match)
        if key is None:
            return self.get_response(request)
        generation = page_generation(match)
        entry = _valid(cache.get(key), generation) if _cache_available() else None
        if entry is None:
            entry, response = self.render_once(request, key, generation)
            if entry is None:
                return response
        return self.from_entry(request, entry)

    def render_once(self, request, key, generation):
        """
        (entry, None) for a page stored by this or another request, (None, response) for one
        that is not stored. One request renders; the others wait for its page.
        """
        lock = f"{key}:rendering:{'-'.join(map(str, generation))}"
        locked = False
        if _cache_available():
            locked = cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS)
            if not locked and _cache_available():
                entry = self.wait_for(key, lock, generation)
                if entry is not None:
                    return entry, None
        try:
            response = self.get_response(request)
            # A HEAD response may come without its body: only GET responses are stored.
            if request.method != "GET" or not self.is_cacheable_response(request, response):
                return None, response
            entry = self.make_entry(response, generation)
            if _cache_available():
                cache.set(key, entry, timeout=settings.PUBLIC_CACHE_SECONDS)
            return entry, None
        finally:
            if locked:
                cache.delete(lock)

    @staticmethod
    def wait_for(key, lock, generation):
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
            found = cache.get_many([key, lock])
            entry = _valid(found.get(key), generation)
            if entry is not None:
                return entry
            if lock not in found or not _cache_available():
                return None  # the render ended without storing, or the cache went away
        return None

    def admin_prefix(self):
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        return self._admin_prefix

    def is_cacheable_request(self, request):
        """Anonymous GET and HEAD of a public page: no session, no staff, no admin."""
        if not settings.PUBLIC_CACHE or request.method not in ("GET", "HEAD"):
            return False
        cookies = request.COOKIES
        # Anyone with a session may be logged in; the messages cookie carries notices for one
        # reader. Neither is served a cached page, nor stores one.
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return False
        if "HTTP_AUTHORIZATION" in request.META:
            return False
        return not request.path.startswith(self.admin_prefix())

    def is_cacheable_response(self, request, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if response.has_header("Content-Encoding"):
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-store", "no-cache")):
            return False
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        if not vary <= _ALLOWED_VARY:
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)

    @staticmethod
    def make_entry(response, generation):
        content = response.content
        headers = [(n, v) for n, v in response.items() if n.lower() != "content-length"]
        return {
            "generation": generation,
            "status": response.status_code,
            "headers": headers,
            "etag": f'"{hashlib.sha256(content).hexdigest()[:32]}"',
            # mtime=0: the same page compresses to the same bytes.
            "gzip": gzip.compress(content, compresslevel=6, mtime=0),
            # Quality 5: about 5 ms for a 145 KB page, once per render, and smaller than gzip.
            "br": brotli.compress(content, quality=5),
        }

    @staticmethod
    def from_entry(request, entry):
        etag = entry["etag"]
        # Weak or strong, as a proxy may have made it: the page is the same either way.
        asked = request.META.get("HTTP_IF_NONE_MATCH", "")
        if etag in {t.strip().removeprefix("W/") for t in asked.split(",")} or asked == "*":
            response = HttpResponseNotModified()
            response["ETag"] = etag
            patch_vary_headers(response, ["Accept-Encoding"])
            return response
        encoding = preferred_encoding(request)
        if encoding is not None:
            response = HttpResponse(entry[encoding], status=entry["status"])
            response["Content-Encoding"] = encoding
        else:
            response = HttpResponse(gzip.decompress(entry["gzip"]), status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["ETag"] = etag
        patch_vary_headers(response, ["Accept-Encoding"])
        response["Content-Length"] = str(len(response.content))
        return response
