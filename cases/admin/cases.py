"""Cases, their defenders and the alerts of their timelines."""

import datetime

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .. import disclosure
from ..activity import activity_page
from ..locking import VersionedForm
from ..models import (
    Alert,
    Alias,
    Appeal,
    Case,
    CaseDefender,
    Defender,
    Recommendation,
)
from ..multilingual import LANGUAGE_CODES, column
from .base import MENU_CASES, PublishedFilter, VersionedAdmin, prefilled_add_url, require_object
from .bulk import ASSIGN, CLOSE, add_actions, follow_up_bulk
from .case_records import CaseFilter, latest_records
from .conflicts import VersionedInline
from .fields import ChoiceAutocomplete
from .publication import PublicationAdminMixin
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


def staff_members():
    """Who a case can be assigned to: active staff accounts."""
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")


def staff_name(user):
    return user.get_full_name() or user.get_username()


class MineFilter(admin.SimpleListFilter):
    """The cases (or records of cases) the reader leads or collaborates on."""

    title = _("my cases")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", _("Mine (lead or collaborator)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.of_user(request.user)
        if self.value():
            return queryset.none()
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    """The cases someone leads or collaborates on."""

    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [(str(user.pk), staff_name(user)) for user in staff_members()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            user_id = int(self.value())
        except ValueError:
            return queryset.none()
        user = get_user_model()(pk=user_id)
        return queryset.of_user(user)


class FollowUpFilter(admin.SimpleListFilter):
    """Reminders: the records whose follow-up date has come for the reader, or any set."""

    title = _("follow-up")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [("due", _("Due for me")), ("set", _("Has a follow-up date"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.due_reminders(request.user, timezone.localdate())
        if self.value() == "set":
            return queryset.filter(follow_up_on__isnull=False)
        if self.value():
            return queryset.none()
        return queryset


class CaseForm(VersionedForm):
    # Set by CaseAdmin.get_form: closing a case is a publisher's decision.
    may_close = True

    class Meta:
        widgets = {
            "other_states": ChoiceAutocomplete(),
            **{
                column("summary", code): forms.Textarea(attrs={"rows": 8})
                for code in LANGUAGE_CODES
            },
        }

    def clean(self):
        cleaned = super().clean()
        closing = cleaned.get("status") == Case.Status.CLOSED
        if closing and "status" in self.changed_data and not self.may_close:
            self.add_error("status", _("Only a publisher can close a case."))
        return cleaned


class CaseDefenderInline(VersionedInline, admin.TabularInline):
    model = CaseDefender
    extra = 0
    autocomplete_fields = ["defender"]
    fields = ["defender", "role", "description", "position"]


@admin.register(Case)
class CaseAdmin(PublicationAdminMixin, VersionedAdmin):
    menu_group = MENU_CASES
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
        MineFilter,
        AssignedFilter,
        FollowUpFilter,
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
    # Staff are few: a list to choose from, not an autocomplete (which would need the
    # permission to view user accounts).
    autocomplete_fields = ["violation_types", "related_cases"]
    date_hierarchy = "opened_on"
    # The case's alerts, appeals and recommendations are listed read-only below the form, the
    # latest of each (case_records.py): not as inlines, whose hidden fields grow with them.
    inlines = [CaseDefenderInline]
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
        (
            _("Internal"),
            {"fields": ["lead_officer", "collaborators", "risk_level", "internal_notes"]},
        ),
        (_("Follow-up"), {"fields": ["follow_up_on", "follow_up_note"]}),
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_officer":
            kwargs["queryset"] = staff_members()
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "lead_officer":
            formfield.label_from_instance = staff_name
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "collaborators":
            kwargs["queryset"] = staff_members()
            kwargs["widget"] = forms.CheckboxSelectMultiple
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "collaborators":
            formfield.label_from_instance = staff_name
        return formfield

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.may_close = request.user.has_perm("cases.publish_case")
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "case_records": latest_records(case, request.user) if case else [],
            "add_links": [
                (_("Log an alert"), prefilled_add_url(Alert, case=object_id)),
                (_("Draft an appeal"), prefilled_add_url(Appeal, case=object_id)),
                (_("Add a recommendation"), prefilled_add_url(Recommendation, case=object_id)),
            ],
            "activity_url": reverse("admin:cases_case_activity", args=[object_id])
            if case
            else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_actions(self, request):
        bulks = [ASSIGN, follow_up_bulk("case"), CLOSE]
        return add_actions(request, super().get_actions(request), bulks)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/activity/",
                self.admin_site.admin_view(self.activity_view),
                name="cases_case_activity",
            ),
            *super().get_urls(),
        ]

    def activity_view(self, request, object_id):
        """Every change to the case and its parts, by anyone, newest first (cases/activity.py)."""
        case = require_object(self, request, object_id)
        if not self.has_view_or_change_permission(request, case):
            raise PermissionDenied
        page = activity_page(case, request.user, request.GET.get("p"))
        label = disclosure.label(request.user, case)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Activity: %(case)s") % {"case": label},
            "opts": self.model._meta,
            "original": case,
            "shown_label": label,
            "page": page,
            "change_url": reverse("admin:cases_case_change", args=[case.pk]),
        }
        return TemplateResponse(request, "admin/cases/case/activity.html", context)


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
        # In every language.
        widgets = {
            **{
                column("title", code): forms.TextInput(attrs={"size": 80})
                for code in LANGUAGE_CODES
            },
            **{
                column("description", code): forms.Textarea(attrs={"rows": 12})
                for code in LANGUAGE_CODES
            },
        }


@admin.register(Alert)
class AlertAdmin(PublicationAdminMixin, VersionedAdmin):
    """Logging an alert is the most frequent task: one page, sensible defaults, sources inline."""

    menu_group = MENU_CASES
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
        CaseFilter,
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


class AliasInline(VersionedInline, admin.TabularInline):
    model = Alias
    extra = 0


class CaseLinkInline(VersionedInline, admin.TabularInline):
    model = CaseDefender
    extra = 0
    autocomplete_fields = ["case"]
    verbose_name = _("case")
    verbose_name_plural = _("cases")


@admin.register(Defender)
class DefenderAdmin(PublicationAdminMixin, VersionedAdmin):
    menu_group = MENU_CASES
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

    @admin.display(description=_("cases"), ordering="n_cases")
    def case_count(self, defender):
        return defender.n_cases


@admin.register(CaseDefender)
class CaseDefenderAdmin(VersionedAdmin):
    menu_group = None
    list_display = ["defender", "case", "role"]
    list_filter = ["role"]
    list_select_related = ["defender", "case"]
    search_fields = ["defender__public_name", "case__title"]
    autocomplete_fields = ["defender", "case"]


@admin.register(Alias)
class AliasAdmin(VersionedAdmin):
    menu_group = None
    list_display = ["name", "defender", "kind"]
    list_filter = ["kind"]
    list_select_related = ["defender"]
    search_fields = ["name", "defender__public_name"]
    autocomplete_fields = ["defender"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if disclosure.may_view(request.user):
            return queryset
        return queryset.filter(defender__identity_protected=False)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "defender" and not disclosure.may_view(request.user):
            # The aliases of a protected defender are spellings of the real name: staff who
            # may not see it cannot add one (nor learn from a refusal that one exists).
            kwargs["queryset"] = Defender.objects.filter(identity_protected=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
