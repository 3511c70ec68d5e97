"""
Caching of anonymous public pages.

The rules (DESIGN.md §6): the cache is an optimisation, never a dependency; no page older
than the last public change is ever served; a change that touches nothing public invalidates
nothing.

**Never stale, whatever the cache does.** The generation of the public pages lives in the
database (`PageGeneration`, one row), not in the cache. A write that changes what the public
sees bumps it in its own transaction, so the bump commits or rolls back with the change. A
request reads the generation first (one primary-key read), then the page; a page is stored
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
One public change still makes every page stale: a page shows data from many tables and many
records (related cases, shared defenders and sources, every list), and working out which pages
one change touches is where stale and leaked pages come from.

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

**Compressed.** Pages are stored gzip-compressed (a 145 KB case page is about 10 KB), sent as
they are to clients that accept gzip and decompressed for the others; each carries an ETag
and a conditional GET gets a 304. Compressing responses is safe here against BREACH-style
attacks because a public page carries no secret: no CSRF token, no session, nothing that
differs between readers (pages for anyone with a cookie are never cached).

Local memory (the default) is per process: production with several workers must set
REDIS_URL. The generation being in the database, several processes still never serve a
stale page; each just has its own copies.
"""

import gzip
import hashlib
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from cases.models import PageGeneration

# Responses that vary on anything else than the language (which is in the key), the cookie (no
# cookie, no session: the page is the anonymous one) or the encoding (handled here) are not
# stored.
_ALLOWED_VARY = {"cookie", "accept-language", "accept-encoding"}
_ROW = 1
# How long a render may hold its page's lock, and how long the others wait for it.
RENDER_LOCK_SECONDS = 10
RENDER_WAIT_SECONDS = 3.0
_POLL_SECONDS = 0.02


# --- The generation, in the database -------------------------------------------------------


def _new_generation():
    # Random rather than counted from 1: a generation a page was stored under is never
    # handed out again, even after the row was lost or restored from a backup.
    return secrets.randbelow(2**62)


def _reset_generation(using):
    value, now = _new_generation(), timezone.now()
    rows = PageGeneration.objects.using(using).filter(pk=_ROW)
    if not rows.update(generation=value, changed_at=now):
        PageGeneration.objects.using(using).bulk_create(
            [PageGeneration(pk=_ROW, generation=value, changed_at=now)], ignore_conflicts=True
        )
    return rows.values_list("generation", flat=True).get()


def current_generation(using=DEFAULT_DB_ALIAS):
    found = PageGeneration.objects.using(using).filter(pk=_ROW).values_list("generation", flat=True)
    for generation in found:
        return generation
    return _reset_generation(using)


def last_public_change(using=DEFAULT_DB_ALIAS):
    """When the public last saw a change (None before the first one)."""
    return (
        PageGeneration.objects.using(using)
        .filter(pk=_ROW)
        .values_list("changed_at", flat=True)
        .first()
    )


def public_change(using=DEFAULT_DB_ALIAS):
    """
    What the public sees has changed: bump the generation, in the caller's transaction. The
    row stays locked until that transaction ends, which orders the public changes: a request
    sees the new generation exactly when it can see the change.
    """
    rows = PageGeneration.objects.using(using).filter(pk=_ROW)
    if not rows.update(generation=F("generation") + 1, changed_at=timezone.now()):
        _reset_generation(using)


def invalidate_public_pages(using=DEFAULT_DB_ALIAS):
    """Make every cached public page stale: after writes no signal sees."""
    _reset_generation(using)


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
        public_change(using)


def after_delete(sender, instance, using=None, **kwargs):
    if tracked_fields(sender) and may_be_public(instance):
        public_change(using)


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
        "sitemap": {"p"},
    }


_parameters_of = {}


def parameters(request):
    """The query parameters the page at `request.path_info` reads (none for most pages)."""
    if not _parameters_of:
        _parameters_of.update(_parameters())
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return set()
    # A view may say what it reads itself (the API's lists: their filters and cursor).
    return _parameters_of.get(match.view_name, getattr(match.func, "cache_parameters", set()))


def page_key(request):
    """
    One entry per absolute URL (scheme, host, path and query: feeds and the sitemap print
    absolute links; pages print their canonical URL), language and day (the tracker counts
    what is overdue *today*). None when the query has a parameter the page does not read:
    such a URL is rendered but not stored, so random query strings cannot fill the cache.
    """
    if request.GET and not set(request.GET) <= parameters(request):
        return None
    language = translation.get_language_from_request(request)
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


def _accepts_gzip(request):
    accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
    for part in accepted.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def __call__(self, request):
        if not self.is_cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        if key is None:
            return self.get_response(request)
        generation = current_generation()
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
        lock = f"{key}:rendering:{generation}"
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
        if _accepts_gzip(request):
            response = HttpResponse(entry["gzip"], status=entry["status"])
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(gzip.decompress(entry["gzip"]), status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["ETag"] = etag
        patch_vary_headers(response, ["Accept-Encoding"])
        response["Content-Length"] = str(len(response.content))
        return response
