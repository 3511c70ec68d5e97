"""
Atom feeds: appeals (all, per case, per country) and a case's timeline. Like the pages, every
feed starts from `published()`, and names the issuing organisation, never a member of staff.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.models import Alert, Appeal, Case

from .views import cases_concerning, country_or_404

FEED_LENGTH = 30


class InLanguage:
    """A feed in the language of its address (/fr/appeals.atom is in French)."""

    @property
    def language(self):
        return get_language()


class AppealFeed(InLanguage, Feed):
    """The latest published appeals."""

    feed_type = Atom1Feed

    def title(self, obj):
        return _("%(name)s: appeals") % {"name": settings.OBSERVATORY_NAME}

    def subtitle(self, obj):
        return _("Urgent appeals, follow-ups and statements, newest first.")

    def link(self, obj):
        return reverse("cases:appeal_list")

    def appeals(self, obj):
        return Appeal.objects.published()

    def items(self, obj):
        return (
            self.appeals(obj)
            .select_related("issuer")
            .order_by("-published_at", "-id")[:FEED_LENGTH]
        )

    def item_title(self, appeal):
        return str(appeal)

    def item_description(self, appeal):
        return appeal.body

    def item_pubdate(self, appeal):
        return appeal.published_at

    def item_updateddate(self, appeal):
        return appeal.corrected_at or appeal.published_at

    def item_author_name(self, appeal):
        return appeal.issuer.name


class CaseAppealFeed(AppealFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Case.objects.published(), slug=slug)

    def title(self, case):
        return _("Appeals: %(case)s") % {"case": case.title}

    def link(self, case):
        return case.get_absolute_url()

    def appeals(self, case):
        return Appeal.objects.published().filter(case=case)


class CountryAppealFeed(AppealFeed):
    def get_object(self, request, code):
        return country_or_404(code)

    def title(self, country):
        return _("Appeals concerning %(country)s") % {"country": country[1]}

    def link(self, country):
        return reverse("cases:country_detail", args=[country[0].lower()])

    def appeals(self, country):
        return Appeal.objects.published().filter(case__in=cases_concerning(country[0]))


class CaseTimelineFeed(InLanguage, Feed):
    """A case's published alerts, latest development first."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Case.objects.published(), slug=slug)

    def title(self, case):
        return _("Timeline: %(case)s") % {"case": case.title}

    def subtitle(self, case):
        return case.summary

    def link(self, case):
        return case.get_absolute_url() + "#timeline"

    def items(self, case):
        return (
            Alert.objects.published()
            .filter(case=case)
            .select_related("case")
            .order_by("-date", "-id")[:FEED_LENGTH]
        )

    def item_title(self, alert):
        return f"{alert.date_display}: {alert.title}"

    def item_description(self, alert):
        parts = [
            alert.description,
            str(_("Verification: %(level)s.") % {"level": alert.get_verification_display()}),
        ]
        if alert.disputed:
            parts.append(str(_("The sources disagree: %(note)s") % {"note": alert.dispute_note}))
        return "\n\n".join(parts)

    def item_pubdate(self, alert):
        return alert.published_at

    def item_updateddate(self, alert):
        return alert.published_at
