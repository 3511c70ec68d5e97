"""sitemap.xml: what search engines may index, built like the pages from `published()`."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Count
from django.urls import reverse

from cases.models import Appeal, Case, Defender, Recommendation

from .views import with_last_public_change


class PageSitemap(Sitemap):
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


class CaseSitemap(Sitemap):
    def items(self):
        return with_last_public_change(Case.objects.published()).order_by("pk")

    def lastmod(self, case):
        return case.last_public_change


class AppealSitemap(Sitemap):
    def items(self):
        return Appeal.objects.published().order_by("pk")

    def lastmod(self, appeal):
        return appeal.corrected_at or appeal.published_at


class DefenderSitemap(Sitemap):
    def items(self):
        # Protected defenders have no page (their slug may carry the real name).
        return Defender.objects.published().filter(identity_protected=False).order_by("pk")


class CountrySitemap(Sitemap):
    def items(self):
        published = Case.objects.published()
        codes = set(published.values_list("state_of_concern", flat=True))
        for states in published.values_list("other_states", flat=True):
            codes.update(states.split(",") if isinstance(states, str) else map(str, states))
        codes.update(
            Recommendation.objects.published()
            .order_by()
            .values_list("target_state")
            .annotate(n=Count("pk"))
            .values_list("target_state", flat=True)
        )
        return sorted(code for code in codes if code)

    def location(self, code):
        return reverse("cases:country_detail", args=[code.lower()])


sitemaps = {
    "pages": PageSitemap,
    "cases": CaseSitemap,
    "appeals": AppealSitemap,
    "defenders": DefenderSitemap,
    "countries": CountrySitemap,
}
