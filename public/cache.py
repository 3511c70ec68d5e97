"""
Caching of anonymous public pages.

A hit must cost almost nothing, so the middleware sits above the session, locale, user and
message middleware and serves a stored page with one cache round trip and no database query.

Invalidation is by generation, not by page. One counter in the cache is bumped on every write
to any model of the cases app (post_save, post_delete, m2m_changed), and each stored page
carries the generation it was rendered under; a page of an older generation is never served.
Any change therefore makes every cached page stale at once. That is coarse, but a page shows
data from many tables (a case page: alerts, appeals, recommendations, sources, defenders) and
working out which pages a change touches is exactly where stale or leaked pages come from;
writes are rare next to reads, so the site loses little. Writes that bypass signals
(queryset.update(), bulk_create(), raw SQL) must call `invalidate_public_pages()`; the page
lifetime (DJANGO_PUBLIC_CACHE_SECONDS) bounds the damage of one that forgets.

The counter is bumped when the write happens and again when its transaction commits: a
request that read the old rows during the transaction cannot store its page under the new
generation. The page key also holds today's date, because the recommendations tracker counts
what is overdue *today*; published() itself does not depend on the time.

Local memory is per process: with more than one process the bump reaches only the process
that made the change. Production with several workers must set REDIS_URL.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

GENERATION_KEY = "public-pages:generation"
# Responses that vary on anything else than the language (which is in the key) or the
# cookie (no cookie, no session: the page is the anonymous one) are not stored.
_ALLOWED_VARY = {"cookie", "accept-language"}


def _new_generation():
    # A random start rather than 1: if the counter is evicted, pages stored under the old
    # numbers cannot match the new one.
    return secrets.randbelow(2**62)


def current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def invalidate_public_pages():
    """Make every cached public page stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)


def data_changed(sender, **kwargs):
    """Signal receiver for every write to the cases app: now, and once it is committed."""
    invalidate_public_pages()
    transaction.on_commit(invalidate_public_pages, using=kwargs.get("using"))


def m2m_changed(sender, action, **kwargs):
    if sender._meta.app_label == "cases" and action.startswith("post_"):
        data_changed(sender, **kwargs)


def page_key(request):
    """
    One entry per absolute URL (scheme, host, path and query: feeds and the sitemap print
    absolute links), language and day.
    """
    language = translation.get_language_from_request(request)
    url = request.build_absolute_uri()
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()
    return f"public-pages:page:{language}:{timezone.localdate().isoformat()}:{digest}"


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def __call__(self, request):
        if not self.is_cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation, entry = found.get(GENERATION_KEY), found.get(key)
        if generation is not None and entry is not None and entry[0] == generation:
            return self.from_entry(entry)
        response = self.get_response(request)
        # A HEAD response may come without its body: only GET responses are stored.
        if request.method == "GET" and self.is_cacheable_response(request, response):
            if generation is None:
                generation = current_generation()
            cache.set(
                key,
                (generation, response.status_code, list(response.items()), response.content),
                timeout=settings.PUBLIC_CACHE_SECONDS,
            )
        return response

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
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-store", "no-cache")):
            return False
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        if not vary <= _ALLOWED_VARY:
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)

    @staticmethod
    def from_entry(entry):
        _generation, status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response
