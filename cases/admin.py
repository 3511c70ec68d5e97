"""
The staff workspace. Every model is registered; records edited with their parts have inlines.
The appeal workflow and history come with the staff-workspace issue.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
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
    Recommendation,
    RecommendationUpdate,
    RequestedAction,
    Source,
    ViolationType,
)


class PublishedFilter(admin.SimpleListFilter):
    title = _("published")
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", _("Published")), ("no", _("Not published"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(published_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(published_at__isnull=True)
        return queryset


@admin.register(ViolationType)
class ViolationTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "acronym"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "office_holder", "kind", "country", "valid_from", "valid_to"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "office_holder", "title", "email"]


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 0


class CaseLinkInline(admin.TabularInline):
    model = CaseDefender
    extra = 0
    autocomplete_fields = ["case"]
    verbose_name = _("case")
    verbose_name_plural = _("cases")


@admin.register(Defender)
class DefenderAdmin(admin.ModelAdmin):
    list_display = [
        "public_name",
        "name",
        "kind",
        "profession",
        "identity_protected",
        "nationality",
    ]
    list_filter = ["identity_protected", "kind", "profession", "nationality"]
    search_fields = ["name", "public_name", "aliases__name"]
    prepopulated_fields = {"slug": ["public_name"]}
    inlines = [AliasInline, CaseLinkInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "kind",
                    "public_name",
                    "slug",
                    "profession",
                    "nationality",
                    "country_of_residence",
                    "protection_status",
                    "public_profile",
                ]
            },
        ),
        (_("Identity"), {"fields": ["name", "identity_protected"]}),
        (_("Internal"), {"fields": ["contact_details", "internal_notes"]}),
    ]


class CaseDefenderInline(admin.TabularInline):
    model = CaseDefender
    extra = 0
    autocomplete_fields = ["defender"]


class CaseAlertInline(admin.TabularInline):
    model = Alert
    extra = 0
    fields = ["date", "date_precision", "kind", "title", "verification", "disputed", "published_at"]
    show_change_link = True
    classes = ["collapse"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "state_of_concern",
        "status",
        "risk_level",
        "lead_officer",
        "opened_on",
        "published_at",
    ]
    list_filter = ["status", PublishedFilter, "state_of_concern", "violation_types", "risk_level"]
    list_select_related = ["lead_officer"]
    search_fields = [
        "title",
        "summary",
        "defenders__name",
        "defenders__public_name",
        "defenders__aliases__name",
        "appeals__reference_code",
    ]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_officer", "violation_types", "related_cases"]
    date_hierarchy = "opened_on"
    inlines = [CaseDefenderInline, CaseAlertInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "summary",
                    "state_of_concern",
                    "other_states",
                    "country_number",
                    "violation_types",
                    "related_cases",
                ]
            },
        ),
        (
            _("Status"),
            {"fields": ["status", "opened_on", "closed_on", "closing_reason", "published_at"]},
        ),
        (_("Internal"), {"fields": ["lead_officer", "risk_level", "internal_notes"]}),
    ]


class CitationInline(admin.TabularInline):
    """Citations of an alert or of a recommendation update: the parent is the other key."""

    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quoted_passage", "locator", "note", "position"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "case",
        "date_display",
        "kind",
        "verification",
        "disputed",
        "published_at",
    ]
    list_filter = ["kind", "verification", "disputed", PublishedFilter, "country"]
    list_select_related = ["case"]
    search_fields = ["title", "description", "place", "case__title"]
    autocomplete_fields = ["case", "authorities", "defenders", "appeal"]
    date_hierarchy = "date"
    inlines = [CitationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "case",
                    ("date", "date_precision", "date_qualifier"),
                    "kind",
                    "title",
                    "description",
                    ("country", "place"),
                    "authorities",
                    "defenders",
                ]
            },
        ),
        (_("How we know"), {"fields": ["verification", "disputed", "dispute_note"]}),
        (_("Publication"), {"fields": ["appeal", "published_at", "internal_notes"]}),
    ]

    @admin.display(description=_("date"), ordering="date")
    def date_display(self, alert):
        return alert.date_display


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "publisher", "date", "language", "is_public", "reliability"]
    list_filter = ["kind", "is_public", "reliability", "language"]
    list_select_related = ["publisher"]
    search_fields = ["title", "author", "url", "publisher__name", "publisher__acronym"]
    autocomplete_fields = ["publisher"]

    def get_queryset(self, request):
        # A source's name includes its publisher; the autocomplete of every citation inline
        # reads this queryset, which list_select_related does not reach.
        return super().get_queryset(request).select_related("publisher")


class RequestedActionInline(admin.TabularInline):
    model = RequestedAction
    extra = 0
    autocomplete_fields = ["target_authority"]


class AddresseeInline(admin.TabularInline):
    model = Addressee
    extra = 0
    autocomplete_fields = ["authority"]


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["title", "reference_code", "kind", "case", "issuer", "date", "state"]
    list_filter = ["state", "kind", "issuer"]
    list_select_related = ["case", "issuer"]
    search_fields = ["title", "reference_code", "body", "case__title"]
    autocomplete_fields = [
        "case",
        "parent",
        "issuer",
        "co_signers",
        "violation_types",
        "author",
        "reviewer",
        "published_by",
    ]
    readonly_fields = ["code_year", "code_number", "follow_up_number"]
    inlines = [RequestedActionInline, AddresseeInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "case",
                    "kind",
                    "parent",
                    "title",
                    "issuer",
                    "co_signers",
                    "language",
                    "body",
                    "take_action_before",
                    "violation_types",
                    "original_url",
                ]
            },
        ),
        (
            _("Reference"),
            {"fields": ["reference_code", "follow_up_number", "code_year", "code_number"]},
        ),
        (
            _("Workflow"),
            {
                "fields": [
                    "state",
                    "date",
                    "author",
                    "reviewer",
                    "published_by",
                    "published_at",
                    "corrected_at",
                    "withdrawn_at",
                    "withdrawal_reason",
                ]
            },
        ),
        (_("Internal"), {"fields": ["internal_notes"]}),
    ]


class RecommendationUpdateInline(admin.StackedInline):
    model = RecommendationUpdate
    extra = 0
    autocomplete_fields = ["recorded_by"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "case", "issuer", "issued_on", "status_display"]
    list_filter = ["target_state", "issuer"]
    list_select_related = ["case", "issuer"]
    search_fields = ["text", "quote", "case__title"]
    autocomplete_fields = ["case", "target_authority", "issuer", "co_issuers", "appeal", "source"]
    raw_id_fields = ["requested_action"]
    inlines = [RecommendationUpdateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    @admin.display(description=_("status"), ordering="current_status")
    def status_display(self, recommendation):
        return recommendation.get_status_display()


@admin.register(RecommendationUpdate)
class RecommendationUpdateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "recommendation", "status", "recorded_by"]
    list_filter = ["status"]
    list_select_related = ["recommendation", "recorded_by"]
    search_fields = ["description", "recommendation__text"]
    autocomplete_fields = ["recommendation", "recorded_by"]
    inlines = [CitationInline]


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "alert", "recommendation_update"]
    list_select_related = ["source__publisher", "alert", "recommendation_update"]
    search_fields = ["quoted_passage", "note", "source__title"]
    autocomplete_fields = ["source", "alert", "recommendation_update"]


@admin.register(CaseDefender)
class CaseDefenderAdmin(admin.ModelAdmin):
    list_display = ["defender", "case", "role"]
    list_filter = ["role"]
    list_select_related = ["defender", "case"]
    search_fields = ["defender__public_name", "case__title"]
    autocomplete_fields = ["defender", "case"]


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ["name", "defender", "kind"]
    list_filter = ["kind"]
    list_select_related = ["defender"]
    search_fields = ["name", "defender__public_name"]
    autocomplete_fields = ["defender"]


@admin.register(RequestedAction)
class RequestedActionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "appeal", "target_state"]
    list_select_related = ["appeal"]
    search_fields = ["text", "appeal__title", "appeal__reference_code"]
    autocomplete_fields = ["appeal", "target_authority"]


@admin.register(Addressee)
class AddresseeAdmin(admin.ModelAdmin):
    list_display = ["authority", "appeal", "role"]
    list_select_related = ["authority", "appeal"]
    search_fields = ["authority__name", "appeal__title"]
    autocomplete_fields = ["authority", "appeal"]
