"""
sitemap.xml: what search engines may index, built like the pages from `published()`.

`/sitemap.xml` is an index of sections (`/sitemap-cases.xml`, ...), each cut into pages of at
most URLS_PER_PAGE addresses (`?p=2`, ...): the protocol allows 50,000 per file, and a smaller
page keeps every file's time and memory the same at any number of cases. The index names each
section's latest change from one aggregate, never by reading every record.

Each section exists in each language (`/sitemap-cases.xml` in English, `/sitemap-cases-fr.xml`
in French, ...), and every address names its versions in the other languages (hreflang
alternates): the same address under each language's prefix, made without reversing a URL
once per language.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index
from django.db.models import Max, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation

from cases.models import Appeal, Case, Defender, Recommendation

URLS_PER_PAGE = 10_000


def in_language(path, code):
    """`path` of the default language's site as the site in `code` writes it (/fr/cases/...)."""
    return path if code == settings.LANGUAGE_CODE else f"/{code}{path}"


class BoundedSitemap(Sitemap):
    limit = URLS_PER_PAGE
    # The index reads it from an aggregate (get_latest_lastmod), not from every item.
    latest = None
    language = settings.LANGUAGE_CODE
    section = None

    def __init__(self, shared=None):
        # What the versions of one section in each language share within a request (its
        # latest change, its number of pages): computed once, not once per language.
        self.shared = {} if shared is None else shared

    def get_latest_lastmod(self):
        key = (self.section, "latest")
        if key not in self.shared:
            self.shared[key] = self._latest_lastmod()
        return self.shared[key]

    def _items(self):
        # A list read by queries of its own (the countries): read once per request.
        key = (self.section, "items")
        if key in self.shared:
            return self.shared[key]
        items = super()._items()
        if not isinstance(items, QuerySet):
            self.shared[key] = items
        return items

    @property
    def paginator(self):
        paginator = super().paginator
        key = (self.section, "count")
        if key not in self.shared:
            self.shared[key] = paginator.count
        paginator.count = self.shared[key]
        return paginator

    def _location(self, item, force_lang_code=None):
        with translation.override(settings.LANGUAGE_CODE):
            path = super()._location(item, force_lang_code)
        return in_language(path, self.language)

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        base = f"{protocol}://{domain}"
        for url in urls:
            path = url["location"].removeprefix(base)
            if self.language != settings.LANGUAGE_CODE:
                path = path.removeprefix(f"/{self.language}")
            url["alternates"] = [
                {"lang_code": code, "location": base + in_language(path, code)}
                for code, _name in settings.LANGUAGES
            ] + [{"lang_code": "x-default", "location": base + path}]
        return urls

    def _latest_lastmod(self):
        if self.latest is None:
            return None
        return self.items().order_by().aggregate(latest=Max(self.latest))["latest"]


class PageSitemap(BoundedSitemap):
    changefreq = "daily"

    def items(self):
        return [
            "cases:home",
            "cases:case_list",
            "cases:appeal_list",
            "cases:recommendation_list",
            "cases:country_list",
            "cases:source_list",
        ]

    def location(self, name):
        return reverse(name)


class CaseSitemap(BoundedSitemap):
    latest = "last_public_change"

    def items(self):
        return Case.objects.published().only("slug", "last_public_change").order_by("pk")

    def lastmod(self, case):
        return case.last_public_change


class AppealSitemap(BoundedSitemap):
    latest = Coalesce("corrected_at", "published_at")

    def items(self):
        return Appeal.objects.published().only("pk", "corrected_at", "published_at").order_by("pk")

    def lastmod(self, appeal):
        return appeal.corrected_at or appeal.published_at


class DefenderSitemap(BoundedSitemap):
    def items(self):
        # Protected defenders have no page (their slug may carry the real name).
        return (
            Defender.objects.published()
            .filter(identity_protected=False)
            .only("slug", "identity_protected")
            .order_by("pk")
        )


class CountrySitemap(BoundedSitemap):
    def items(self):
        # Distinct values only: a few hundred rows whatever the number of cases.
        published = Case.objects.published().order_by()
        codes = set(published.values_list("state_of_concern", flat=True).distinct())
        for states in published.values_list("other_states", flat=True).distinct():
            codes.update(states.split(",") if isinstance(states, str) else map(str, states))
        codes.update(
            Recommendation.objects.published()
            .order_by()
            .values_list("target_state", flat=True)
            .distinct()
        )
        return sorted(code for code in codes if code)

    def location(self, code):
        return reverse("cases:country_detail", args=[code.lower()])


_SECTIONS = {
    "pages": PageSitemap,
    "cases": CaseSitemap,
    "appeals": AppealSitemap,
    "defenders": DefenderSitemap,
    "countries": CountrySitemap,
}

# Each section in each language: "cases" in the default one, "cases-fr" in French, ...
sitemaps = {
    name if code == settings.LANGUAGE_CODE else f"{name}-{code}": type(
        f"{section.__name__}{code.title()}", (section,), {"language": code, "section": name}
    )
    for code, _label in settings.LANGUAGES
    for name, section in _SECTIONS.items()
}


def for_a_request():
    """The sections for one request: each language's version of a section shares its counts."""
    shared = {}
    return {name: section(shared) for name, section in sitemaps.items()}


def sitemap_index(request):
    return index(request, sitemaps=for_a_request(), sitemap_url_name="sitemap_section")
