"""Sources and the citations that tie alerts and recommendation updates to them."""

from django.contrib import admin

from ..models import Citation, Source
from .base import ObservatoryAdmin


class CitationInline(admin.TabularInline):
    """
    Citations of an alert or of a recommendation update: the parent is the other key. The
    source's "+" opens a new source in a pop-up, so nobody leaves the page they are filling in.
    """

    model = Citation
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "quoted_passage", "locator", "note", "position"]


@admin.register(Source)
class SourceAdmin(ObservatoryAdmin):
    list_display = ["title", "kind", "publisher", "date", "language", "is_public", "reliability"]
    list_filter = ["kind", "is_public", "reliability", "language"]
    list_select_related = ["publisher"]
    search_fields = ["title", "author", "url", "publisher__name", "publisher__acronym"]
    autocomplete_fields = ["publisher"]

    def get_queryset(self, request):
        # A source's name includes its publisher; the autocomplete of every citation inline
        # reads this queryset, which list_select_related does not reach.
        return super().get_queryset(request).select_related("publisher")


@admin.register(Citation)
class CitationAdmin(ObservatoryAdmin):
    list_display = ["__str__", "alert", "recommendation_update"]
    list_select_related = ["source__publisher", "alert", "recommendation_update"]
    search_fields = ["quoted_passage", "note", "source__title"]
    autocomplete_fields = ["source", "alert", "recommendation_update"]
