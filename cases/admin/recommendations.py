"""What was asked of governments, and the dated history of what they did."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Recommendation, RecommendationStatus, RecommendationUpdate
from .base import MENU_APPEALS, VersionedAdmin, prefilled_add_url
from .bulk import add_actions, follow_up_bulk
from .case_records import CaseFilter
from .cases import FollowUpFilter, MineFilter
from .sources import CitationInline


class StatusFilter(admin.SimpleListFilter):
    """The current status: the latest update's, as the recommendation keeps it."""

    title = _("current status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return RecommendationStatus.choices

    def queryset(self, request, queryset):
        if self.value() in RecommendationStatus.values:
            return queryset.filter(current_status=self.value())
        if self.value():
            return queryset.none()
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        return queryset


class UpdateInline(admin.TabularInline):
    """The history so far; an update is added on its own page, with its sources."""

    model = RecommendationUpdate
    extra = 0
    show_change_link = True
    can_delete = False
    fields = ["date_display", "status", "description", "recorded_by"]
    readonly_fields = fields
    verbose_name_plural = _("history (updates)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

    @admin.display(description=_("date"))
    def date_display(self, update):
        return update.date_display


@admin.register(Recommendation)
class RecommendationAdmin(VersionedAdmin):
    menu_group = MENU_APPEALS
    list_display = [
        "__str__",
        "case",
        "target_authority",
        "issuer",
        "issued_on",
        "status_display",
        "days_since_update",
    ]
    list_filter = [
        CaseFilter,
        StatusFilter,
        OverdueFilter,
        MineFilter,
        FollowUpFilter,
        "target_state",
        ("target_authority", admin.RelatedOnlyFieldListFilter),
        ("issuer", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["case", "issuer", "target_authority"]
    search_fields = ["text", "quote", "case__title"]
    autocomplete_fields = [
        "case",
        "target_authority",
        "issuer",
        "co_issuers",
        "appeal",
        "source",
        "requested_action",
    ]
    inlines = [UpdateInline]
    change_form_template = "admin/cases/recommendation/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "case",
                    "text",
                    "quote",
                    ("target_state", "target_authority"),
                    ("issuer", "co_issuers"),
                    "issued_on",
                    ("appeal", "requested_action"),
                    "source",
                ]
            },
        ),
        (_("Follow-up"), {"fields": ["follow_up_on", "follow_up_note"]}),
    ]

    def get_actions(self, request):
        return add_actions(
            request, super().get_actions(request), [follow_up_bulk("recommendation")]
        )

    @admin.display(description=_("status"), ordering="current_status")
    def status_display(self, recommendation):
        return recommendation.get_status_display()

    @admin.display(description=_("days since last update"), ordering="last_update_on")
    def days_since_update(self, recommendation):
        last = recommendation.last_update_on or recommendation.issued_on
        return (timezone.localdate() - last).days

    def change_view(self, request, object_id, form_url="", extra_context=None):
        current = (
            Recommendation.objects.filter(pk=unquote(object_id))
            .with_is_overdue()
            .values("current_status", "last_update_on", "is_overdue")
            .first()
        )
        if current is not None:
            current["status_label"] = RecommendationStatus(current["current_status"]).label
            current["overdue_days"] = settings.RECOMMENDATION_OVERDUE_DAYS
        extra_context = {
            **(extra_context or {}),
            "add_update_url": prefilled_add_url(RecommendationUpdate, recommendation=object_id),
            "current": current,
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(RecommendationUpdate)
class RecommendationUpdateAdmin(VersionedAdmin):
    menu_group = MENU_APPEALS
    list_display = ["__str__", "recommendation", "status", "recorded_by"]
    list_filter = ["status"]
    list_select_related = ["recommendation", "recorded_by"]
    search_fields = ["description", "recommendation__text"]
    autocomplete_fields = ["recommendation"]
    readonly_fields = ["recorded_by"]
    inlines = [CitationInline]
    fields = [
        "recommendation",
        ("date", "date_precision", "date_qualifier"),
        "description",
        "status",
        "recorded_by",
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # Back to the recommendation, whose history now shows the new status.
        if "_addanother" not in request.POST and "_continue" not in request.POST:
            # The status as the saved update made it: the recommendation in hand was read
            # before the update's save refreshed the stored status (status_changed).
            recommendation = Recommendation.objects.get(pk=obj.recommendation_id)
            self.message_user(
                request,
                _("Update recorded: the recommendation is now “%(status)s”.")
                % {"status": recommendation.get_status_display()},
            )
            return HttpResponseRedirect(
                reverse("admin:cases_recommendation_change", args=[obj.recommendation_id])
            )
        return super().response_add(request, obj, post_url_continue)
