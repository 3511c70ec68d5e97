"""Cases, their defenders and the alerts of their timelines."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from .. import confidential, services
from ..locking import VersionedForm
from ..models import (
    Alert,
    Alias,
    Appeal,
    Case,
    CaseDefender,
    Defender,
    Recommendation,
    RecommendationUpdate,
)
from .base import ObservatoryAdmin, PublishedFilter, VersionedAdmin, prefilled_add_url
from .sources import CitationInline


class OtherStateFilter(admin.SimpleListFilter):
    title = _("other state involved")
    parameter_name = "other_state"

    def lookups(self, request, model_admin):
        codes = set()
        combinations = (
            Case.objects.exclude(other_states="")
            .order_by()
            .values_list("other_states", flat=True)
            .distinct()
        )
        for value in combinations:
            codes.update(code for code in value.split(",") if code)
        return sorted(((code, countries.name(code) or code) for code in codes), key=lambda c: c[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.involving_state(self.value())
        return queryset


class DaysFilter(admin.SimpleListFilter):
    """A choice of a number of days; subclasses say what it filters."""

    days = ()

    def lookups(self, request, model_admin):
        return [(str(days), _("%(days)s days") % {"days": days}) for days in self.days]

    def queryset(self, request, queryset):
        try:
            days = int(self.value() or 0)
        except ValueError:
            return queryset.none()
        if days <= 0:
            return queryset
        return self.within(queryset, datetime.timedelta(days=days))


class QuietFilter(DaysFilter):
    title = _("no alert for")
    parameter_name = "quiet"
    days = (30, 90, 180, 365)

    def within(self, queryset, period):
        return queryset.without_alert_since(timezone.localdate() - period)


class CaseForm(VersionedForm):
    # Set by CaseAdmin.get_form: closing a case is a publisher's decision.
    may_close = True

    def clean(self):
        cleaned = super().clean()
        closing = cleaned.get("status") == Case.Status.CLOSED
        if closing and "status" in self.changed_data and not self.may_close:
            self.add_error("status", _("Only a publisher can close a case."))
        return cleaned


class CaseDefenderInline(admin.TabularInline):
    model = CaseDefender
    extra = 0
    autocomplete_fields = ["defender"]
    fields = ["defender", "role", "description", "position"]


class _ReadOnlyInline(admin.TabularInline):
    """A compact list of related records on a case page; each opens on its own page."""

    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseAlertInline(_ReadOnlyInline):
    model = Alert
    fields = ["date_display", "kind", "title", "verification", "disputed", "published"]
    readonly_fields = fields
    verbose_name_plural = _("timeline (alerts)")

    @admin.display(description=_("date"))
    def date_display(self, alert):
        return alert.date_display

    @admin.display(description=_("published"), boolean=True)
    def published(self, alert):
        return alert.published_at is not None


class CaseAppealInline(_ReadOnlyInline):
    model = Appeal
    fk_name = "case"
    fields = ["reference_code", "kind", "title", "date", "state"]
    readonly_fields = fields


class CaseRecommendationInline(_ReadOnlyInline):
    model = Recommendation
    fields = ["text", "target_state", "issued_on", "status_display", "add_update"]
    readonly_fields = fields

    @admin.display(description=_("status"))
    def status_display(self, recommendation):
        return recommendation.get_status_display()

    @admin.display(description=_("update"))
    def add_update(self, recommendation):
        return format_html(
            '<a href="{}">{}</a>',
            prefilled_add_url(RecommendationUpdate, recommendation=recommendation.pk),
            _("Add an update"),
        )


@admin.register(Case)
class CaseAdmin(VersionedAdmin):
    form = CaseForm
    list_display = [
        "title",
        "state_display",
        "status",
        "risk_level",
        "lead_officer",
        "last_alert_on",
        "published_at",
    ]
    list_filter = [
        "status",
        PublishedFilter,
        "state_of_concern",
        OtherStateFilter,
        "violation_types",
        "lead_officer",
        QuietFilter,
        "risk_level",
    ]
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
    inlines = [CaseDefenderInline, CaseAlertInline, CaseAppealInline, CaseRecommendationInline]
    actions = ["publish", "unpublish"]
    change_form_template = "admin/cases/case/change_form.html"
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
        (_("Status"), {"fields": ["status", "opened_on", "closed_on", "closing_reason"]}),
        (_("Internal"), {"fields": ["lead_officer", "risk_level", "internal_notes"]}),
        (_("Publication"), {"fields": ["published_at"]}),
    ]

    def get_queryset(self, request):
        # A subquery per listed case (alert_case_date_idx), not a join and GROUP BY over
        # every alert: the page's COUNT and date hierarchy then never touch the alerts.
        latest = Alert.objects.filter(case=OuterRef("pk")).order_by("-date").values("date")[:1]
        return super().get_queryset(request).annotate(last_alert=Subquery(latest))

    # The country's name, looked up once: the admin's display of a choice field flattens all
    # 250 country choices for every row.
    @admin.display(description=_("state of concern"), ordering="state_of_concern")
    def state_display(self, case):
        return case.state_of_concern.name

    @admin.display(description=_("last alert"), ordering="last_alert")
    def last_alert_on(self, case):
        return case.last_alert

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("cases.publish_case"):
            readonly.append("published_at")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.may_close = request.user.has_perm("cases.publish_case")
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("cases.publish_case"):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "add_links": [
                (_("Log an alert"), prefilled_add_url(Alert, case=object_id)),
                (_("Draft an appeal"), prefilled_add_url(Appeal, case=object_id)),
                (_("Add a recommendation"), prefilled_add_url(Recommendation, case=object_id)),
            ],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Publish the selected cases"))
    def publish(self, request, queryset):
        self._each(
            request,
            queryset,
            services.publish_case,
            _("%(n)d case published."),
            _("%(n)d cases published."),
        )

    @admin.action(description=_("Unpublish the selected cases (they leave the public site)"))
    def unpublish(self, request, queryset):
        self._each(
            request,
            queryset,
            services.unpublish_case,
            _("%(n)d case unpublished."),
            _("%(n)d cases unpublished."),
        )

    def _each(self, request, queryset, step, singular, plural):
        try:
            for case in queryset:
                step(case, request.user)
        except PermissionDenied:
            self.message_user(request, _("You may not do that."), messages.ERROR)
            return
        n = queryset.count()
        self.message_user(request, ngettext(singular, plural, n) % {"n": n}, messages.SUCCESS)


class LoggedFilter(DaysFilter):
    title = _("logged in the last")
    parameter_name = "logged"
    days = (7, 30, 90)

    def within(self, queryset, period):
        return queryset.filter(created_at__gte=timezone.now() - period)


class YearFilter(admin.SimpleListFilter):
    """
    The years between the first and the last alert. Django's date hierarchy would list the
    years that occur with a DISTINCT over every alert on each page; this is two index lookups.
    """

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        bounds = model_admin.model.objects.aggregate(first=Min("date"), last=Max("date"))
        if bounds["first"] is None:
            return []
        years = range(bounds["last"].year, bounds["first"].year - 1, -1)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            year = int(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(date__year=year)


class AlertForm(VersionedForm):
    class Meta:
        widgets = {
            "title": forms.TextInput(attrs={"size": 80}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


@admin.register(Alert)
class AlertAdmin(VersionedAdmin):
    """Logging an alert is the most frequent task: one page, sensible defaults, sources inline."""

    form = AlertForm
    list_display = [
        "title",
        "case",
        "date_display",
        "kind",
        "verification",
        "disputed",
        "published_at",
        "created_at",
    ]
    list_filter = [
        LoggedFilter,
        YearFilter,
        "kind",
        "verification",
        "disputed",
        PublishedFilter,
        "country",
    ]
    list_select_related = ["case"]
    search_fields = ["title", "description", "place", "case__title"]
    autocomplete_fields = ["case", "authorities", "defenders", "appeal"]
    inlines = [CitationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "case",
                    ("date", "date_precision", "date_qualifier"),
                    "sorts_on",
                    "kind",
                    "title",
                    "description",
                    ("country", "place"),
                    "authorities",
                    "defenders",
                ]
            },
        ),
        (_("How we know"), {"fields": ["verification", ("disputed", "dispute_note")]}),
        (_("Publication"), {"fields": ["published_at", "appeal", "internal_notes"]}),
    ]

    def get_ordering(self, request):
        # The list shows the latest logged first; the timeline order is on the case page.
        return ["-created_at", "-id"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        case_id = initial.get("case")
        if case_id and "defenders" not in initial:
            # Most alerts concern the case's subject: start with the case's defenders.
            subjects = CaseDefender.objects.filter(
                case_id=case_id, role=CaseDefender.Role.SUBJECT
            ).values_list("defender_id", flat=True)
            initial["defenders"] = list(subjects)
        return initial

    @admin.display(description=_("date"), ordering="date")
    def date_display(self, alert):
        return alert.date_display


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
class DefenderAdmin(ObservatoryAdmin):
    list_display = [
        "public_name",
        "name",
        "kind",
        "profession",
        "identity_protected",
        "nationality",
        "case_count",
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

    def get_queryset(self, request):
        # Ordered again: an aggregate drops Meta.ordering, and autocomplete paginates this.
        return (
            super()
            .get_queryset(request)
            .annotate(n_cases=Count("case_links", distinct=True))
            .order_by("public_name", "pk")
        )

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        if "name" in self.hidden_fields(request, obj):
            # The aliases of a protected defender are spellings of the real name.
            return [inline for inline in inlines if inline is not AliasInline]
        return inlines

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and "name" in self.hidden_fields(request, obj):
            return {}  # the address is read-only (below): nothing to fill in
        return super().get_prepopulated_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and "name" in self.hidden_fields(request, obj):
            # Lifting the protection would show the real name: only those who may see it.
            # The pseudonym and the address too: whether a new one is refused because it
            # holds a part of the real name would tell that part, one guess at a time.
            readonly += ["identity_protected", "public_name", "slug"]
        return readonly

    @admin.display(description=_("cases"), ordering="n_cases")
    def case_count(self, defender):
        return defender.n_cases


@admin.register(CaseDefender)
class CaseDefenderAdmin(ObservatoryAdmin):
    list_display = ["defender", "case", "role"]
    list_filter = ["role"]
    list_select_related = ["defender", "case"]
    search_fields = ["defender__public_name", "case__title"]
    autocomplete_fields = ["defender", "case"]


@admin.register(Alias)
class AliasAdmin(ObservatoryAdmin):
    list_display = ["name", "defender", "kind"]
    list_filter = ["kind"]
    list_select_related = ["defender"]
    search_fields = ["name", "defender__public_name"]
    autocomplete_fields = ["defender"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if confidential.may_view(request.user):
            return queryset
        return queryset.filter(defender__identity_protected=False)
