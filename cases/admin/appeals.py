"""
Appeals and their workflow. Each step is a function of cases/services.py; the views here only
check who asks, call it and report the result.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ops.faults import BUSY, classify

from .. import history, integrity, reference_codes, services
from ..locking import VersionedForm
from ..models import Addressee, Appeal, RequestedAction
from ..multilingual import LANGUAGE_CODES, column
from .base import MENU_APPEALS, VersionedAdmin, require_object
from .case_records import CaseFilter
from .conflicts import VersionedInline

# What readers see: changing any of these after publication is a correction, shown as
# "updated on" on the public page.
PUBLIC_FIELDS = {
    "kind",
    "issuer",
    "co_signers",
    "language",
    "body_is_summary",
    "take_action_before",
    "violation_types",
    "original_url",
    # The texts, in every language.
    *(
        column(name, code)
        for name in ("title", "body", "after_deadline")
        for code in LANGUAGE_CODES
    ),
}

WORKFLOW_FIELDS = [
    "state",
    "author",
    "reviewer",
    "published_by",
    "published_at",
    "corrected_at",
    "withdrawn_at",
    "withdrawal_reason",
    "code_year",
    "code_number",
    "follow_up_number",
]


class MineFilter(admin.SimpleListFilter):
    title = gettext_lazy("written by")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Me"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(author=request.user)
        return queryset


class RequestedActionInline(VersionedInline, admin.TabularInline):
    model = RequestedAction
    extra = 0
    autocomplete_fields = ["target_authority"]
    fields = ["position", "text", "target_state", "target_authority"]


class AddresseeInline(VersionedInline, admin.TabularInline):
    model = Addressee
    extra = 0
    autocomplete_fields = ["authority"]
    fields = ["authority", "role", "position"]


class AppealForm(VersionedForm):
    def clean(self):
        cleaned = super().clean()
        if "reference_code" in self.fields and "reference_code" in self.changed_data:
            # A code typed by staff: taken already (however it is spelled), or a number that
            # another appeal holds, is refused here rather than by the database at the save.
            problems = reference_codes.printed_code_problems(
                self.instance,
                cleaned.get("reference_code") or "",
                date=cleaned.get("date", self.instance.date),
                parent=cleaned.get("parent", self.instance.parent),
            )
            for field, message in problems.items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for withdrawal"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Kept with the appeal and closes the recommendations it made."),
    )


@admin.register(Appeal)
class AppealAdmin(VersionedAdmin):
    menu_group = MENU_APPEALS
    form = AppealForm
    list_display = ["title", "reference_code", "kind", "case", "issuer", "date", "state", "author"]
    list_filter = [CaseFilter, "state", MineFilter, "kind", "issuer", "author"]
    list_select_related = ["case", "issuer", "author"]
    search_fields = ["title", "reference_code", "body", "case__title"]
    autocomplete_fields = ["case", "parent", "issuer", "co_signers", "violation_types"]
    inlines = [RequestedActionInline, AddresseeInline]
    change_form_template = "admin/cases/appeal/change_form.html"
    # Says why the list has no bulk publish (four eyes).
    change_list_template = "admin/cases/appeal/change_list.html"
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
                    "body_is_summary",
                    "take_action_before",
                    "after_deadline",
                    "violation_types",
                    "original_url",
                ]
            },
        ),
        (_("Reference"), {"fields": ["reference_code", "date"]}),
        (_("Workflow"), {"fields": WORKFLOW_FIELDS}),
        (_("Internal"), {"fields": ["internal_notes"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(WORKFLOW_FIELDS)
        if obj is not None and obj.state in (Appeal.State.PUBLISHED, Appeal.State.WITHDRAWN):
            # The code and date are fixed once readers have seen them.
            readonly += ["reference_code", "date", "kind", "parent", "case"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is not None and obj.state == Appeal.State.IN_REVIEW:
            # Four eyes: what the publisher reviews does not change under them. Returning
            # the appeal to draft makes it editable again.
            return False
        if obj is not None and obj.state in (Appeal.State.PUBLISHED, Appeal.State.WITHDRAWN):
            # Published appeals are corrected by publishers, not rewritten.
            return request.user.has_perm("cases.publish_appeal")
        return True

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state not in (Appeal.State.DRAFT, Appeal.State.IN_REVIEW):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        if "reference_code" in form.changed_data and obj.reference_code:
            # A code typed by staff is a historical one: keep it as printed.
            reference_codes.accept_printed(obj, obj.reference_code)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        appeal = form.instance
        if change and appeal.state == Appeal.State.PUBLISHED:
            corrected = PUBLIC_FIELDS & set(form.changed_data) or any(
                formset.has_changed() for formset in formsets
            )
            if corrected:
                services.record_correction(appeal, request.user)

    # --- The workflow ----------------------------------------------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        views = [
            ("preview", self.preview_view),
            ("submit", self.submit_view),
            ("return", self.return_view),
            ("publish", self.publish_view),
            ("withdraw", self.withdraw_view),
            ("follow-up", self.follow_up_view),
        ]
        return [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(view),
                name="{}_{}_{}".format(*info, name.replace("-", "_")),
            )
            for name, view in views
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appeal = self.get_object(request, object_id)
        if appeal is not None and appeal.state == Appeal.State.IN_REVIEW:
            self.message_user(
                request,
                _(
                    "This appeal is in review: its text, requested actions and addressees "
                    "cannot change. Return it to draft to change them; it must then be "
                    "submitted and reviewed again."
                ),
                messages.INFO,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            user = request.user
            may_publish = user.has_perm("cases.publish_appeal")
            context["workflow"] = {
                "submit": obj.state == Appeal.State.DRAFT
                and self.has_change_permission(request, obj),
                "return": obj.state == Appeal.State.IN_REVIEW
                and (may_publish or obj.author_id == user.pk),
                "publish": obj.state == Appeal.State.IN_REVIEW and may_publish,
                "own": obj.author_id == user.pk,
                "may_publish": may_publish,
                "withdraw": obj.state == Appeal.State.PUBLISHED and may_publish,
                "follow_up": obj.state == Appeal.State.PUBLISHED
                and self.has_add_permission(request),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _change_url(self, appeal):
        return reverse("admin:cases_appeal_change", args=[appeal.pk])

    def _step(self, request, object_id, step, done):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        appeal = require_object(self, request, object_id)
        if not self.has_view_or_change_permission(request, appeal):
            raise PermissionDenied
        try:
            result = step(appeal, request.user)
        except services.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self._change_url(appeal))
        except (IntegrityError, OperationalError) as error:
            # The step's transaction was rolled back: nothing of it happened.
            if isinstance(error, IntegrityError):
                reason = integrity.describe(error)
            elif classify(error) == BUSY:
                reason = _(
                    "someone else is changing this appeal, its chain or its case at this moment. "
                    "Try again in a moment."
                )
            else:
                raise  # the database is gone: a 503 page (ops/faults.py)
            self.message_user(
                request, _("Nothing was done: %(reason)s") % {"reason": reason}, messages.ERROR
            )
            return HttpResponseRedirect(self._change_url(appeal))
        self.message_user(request, done % {"appeal": result}, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(result))

    def submit_view(self, request, object_id):
        return self._step(
            request,
            object_id,
            services.submit_for_review,
            _("“%(appeal)s” is now waiting for review by a publisher."),
        )

    def return_view(self, request, object_id):
        return self._step(
            request, object_id, services.return_to_draft, _("“%(appeal)s” is back in draft.")
        )

    def follow_up_view(self, request, object_id):
        return self._step(
            request,
            object_id,
            services.create_follow_up,
            _("Follow-up “%(appeal)s” drafted: write the new information, then submit it."),
        )

    def preview_view(self, request, object_id):
        appeal = require_object(self, request, object_id)
        if not self.has_view_or_change_permission(request, appeal):
            raise PermissionDenied
        # The public page's template, with what the public page shows of the appeal.
        context = {"appeal": appeal, "case": appeal.case, "preview": True, **appeal.page_parts()}
        response = TemplateResponse(request, "public/appeal_detail.html", context)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def publish_view(self, request, object_id):
        appeal = require_object(self, request, object_id)
        if not request.user.has_perm("cases.publish_appeal"):
            raise PermissionDenied
        if request.method == "POST":
            version = request.POST.get("version", "")
            return self._step(
                request,
                object_id,
                lambda a, user: services.publish_appeal(a, user, version=version),
                _("“%(appeal)s” is published."),
            )
        problems = services.publication_problems(appeal)
        if appeal.state != Appeal.State.IN_REVIEW:
            problems.insert(0, _("Only an appeal in review can be published."))
        if appeal.author_id == request.user.pk:
            problems.insert(0, _("You wrote this appeal: another publisher must publish it."))
        return self._confirm(
            request,
            appeal,
            "admin/cases/appeal/publish.html",
            {
                "problems": problems,
                "actions": appeal.requested_actions.select_related("target_authority"),
                "since_review": changes_since_last_review(appeal),
                "coded": appeal.kind in Appeal.CODED_KINDS and not appeal.reference_code,
            },
            _("Publish “%(appeal)s”"),
        )

    def withdraw_view(self, request, object_id):
        appeal = require_object(self, request, object_id)
        if not request.user.has_perm("cases.publish_appeal"):
            raise PermissionDenied
        form = WithdrawForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return self._step(
                request,
                object_id,
                lambda a, user: services.withdraw_appeal(a, user, form.cleaned_data["reason"]),
                _("“%(appeal)s” is withdrawn and no longer public."),
            )
        return self._confirm(
            request,
            appeal,
            "admin/cases/appeal/withdraw.html",
            {"form": form},
            _("Withdraw “%(appeal)s”"),
        )

    def _confirm(self, request, appeal, template, context, title):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "title": title % {"appeal": appeal},
                "opts": self.model._meta,
                "original": appeal,
                "appeal": appeal,
                **context,
            },
        )


def changes_since_last_review(appeal):
    """
    What changed since a publisher last returned the appeal to draft: (field, then, now) for
    its fields and its requested actions and addressees; None if it was never returned.
    """
    returned = (
        appeal.history.filter(history_change_reason=_("Returned to draft"))
        .order_by("-history_date")
        .first()
    )
    if returned is None:
        return None
    current = appeal.history.order_by("-history_date").first()
    delta = current.diff_against(returned, excluded_fields=["version", "updated_at", "state"])
    changes = [(appeal._meta.get_field(c.field).verbose_name, c.old, c.new) for c in delta.changes]
    then = history.parts_as_of(returned)
    parts = ((RequestedAction, _("requested actions")), (Addressee, _("addressees")))
    for part_model, label in parts:
        before = sorted(str(p.instance) for (m, _pk), p in then.items() if m is part_model)
        now = sorted(str(p) for p in part_model.objects.filter(appeal=appeal))
        if before != now:
            changes.append((label, "; ".join(before) or "—", "; ".join(now) or "—"))
    return changes


@admin.register(RequestedAction)
class RequestedActionAdmin(VersionedAdmin):
    menu_group = None
    list_display = ["__str__", "appeal", "target_state"]
    list_select_related = ["appeal"]
    search_fields = ["text", "appeal__title", "appeal__reference_code"]
    autocomplete_fields = ["appeal", "target_authority"]

    def has_change_permission(self, request, obj=None):
        return _editable_part(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable_part(obj) and super().has_delete_permission(request, obj)


@admin.register(Addressee)
class AddresseeAdmin(VersionedAdmin):
    menu_group = None
    list_display = ["authority", "appeal", "role"]
    list_select_related = ["authority", "appeal"]
    search_fields = ["authority__name", "appeal__title"]
    autocomplete_fields = ["authority", "appeal"]

    def has_change_permission(self, request, obj=None):
        return _editable_part(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable_part(obj) and super().has_delete_permission(request, obj)


def _editable_part(part):
    """A requested action or addressee changes only while its appeal is not in review."""
    return part is None or part.appeal.state != Appeal.State.IN_REVIEW
