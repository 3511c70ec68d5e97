"""
Publishing from the staff workspace: each step is a service of cases/services.py behind its
permission. A record's page links to the steps the user may take; each opens a confirmation
that says what becomes public or private, and runs on POST. Lists have the same steps as bulk
actions, and staff who may not publish mark records ready for publication instead.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import disclosure, services
from ..models import Alert, Case, Defender, Page, PublicationRequest, Source
from .base import MENU_PUBLICATION


class ProtectForm(forms.Form):
    public_name = forms.CharField(
        label=gettext_lazy("Public name (pseudonym)"),
        max_length=200,
        help_text=gettext_lazy("What readers will see, with no part of the real name."),
    )
    slug = forms.SlugField(
        label=gettext_lazy("New address"),
        max_length=200,
        help_text=gettext_lazy("The old address stops working at once; none leads here."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=80,
        help_text=gettext_lazy("Kept in the history of the record."),
    )


class RequestForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for the publisher"), max_length=500, required=False
    )


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    explanation: Any  # what happens, for the confirmation page
    service: Any  # (obj, user, **form data) -> obj
    permission: str
    applies: Any  # obj -> bool
    form: Any = None
    done: Any = ""


def _requested(obj, what="record"):
    return PublicationRequest.objects.of(obj, what).exists()


def _request_step(what, label, applies):
    return Step(
        f"request-{what}" if what != "record" else "request",
        label,
        gettext_lazy(
            "Publishers see it on their dashboard and in the list of what awaits publication. "
            "Nothing becomes public until one of them publishes it."
        ),
        lambda obj, user, note="": services.request_publication(obj, user, what=what, note=note),
        "cases.add_publicationrequest",
        lambda obj: applies(obj) and not _requested(obj, what),
        RequestForm,
        gettext_lazy("Marked ready for publication: a publisher will review it."),
    )


STEPS = {
    Case: [
        Step(
            "publish",
            gettext_lazy("Publish"),
            gettext_lazy(
                "The case page, its published alerts, appeals and recommendations become public "
                "at once."
            ),
            services.publish_case,
            "cases.publish_case",
            lambda case: case.published_at is None,
            done=gettext_lazy("Published."),
        ),
        Step(
            "unpublish",
            gettext_lazy("Unpublish"),
            gettext_lazy("The case and everything on its page leave the public site at once."),
            services.unpublish_case,
            "cases.publish_case",
            lambda case: case.published_at is not None,
            done=gettext_lazy("Unpublished: no longer public."),
        ),
        _request_step(
            "record", gettext_lazy("Ready for publication"), lambda c: c.published_at is None
        ),
    ],
    Alert: [
        Step(
            "publish",
            gettext_lazy("Publish"),
            gettext_lazy(
                "The alert joins the public timeline of its case (once the case is published), "
                "with the citations of its public sources."
            ),
            services.publish_alert,
            "cases.publish_alert",
            lambda alert: alert.published_at is None,
            done=gettext_lazy("Published."),
        ),
        Step(
            "unpublish",
            gettext_lazy("Unpublish"),
            gettext_lazy("The alert leaves the public timeline at once."),
            services.unpublish_alert,
            "cases.publish_alert",
            lambda alert: alert.published_at is not None,
            done=gettext_lazy("Unpublished: no longer public."),
        ),
        _request_step(
            "record", gettext_lazy("Ready for publication"), lambda a: a.published_at is None
        ),
    ],
    Source: [
        Step(
            "publish",
            gettext_lazy("Make public"),
            gettext_lazy(
                "Its title, publisher, author, date and address, and the passages quoted from "
                "it, appear on the published pages that cite it. Its file stays private."
            ),
            services.publish_source,
            "cases.publish_source",
            lambda source: not source.is_public,
            done=gettext_lazy("The source is public."),
        ),
        Step(
            "unpublish",
            gettext_lazy("Make private"),
            gettext_lazy(
                "The source and its file leave every public page at once; the pages that cite "
                "it no longer name it."
            ),
            services.unpublish_source,
            "cases.publish_source",
            lambda source: source.is_public,
            done=gettext_lazy("The source is private."),
        ),
        Step(
            "publish-file",
            gettext_lazy("Make the file public"),
            gettext_lazy(
                "Anyone may download the attached file from the pages that cite the source, "
                "under a name made from its title. Open it and check it names no one at risk."
            ),
            services.publish_source_file,
            "cases.publish_source",
            lambda source: bool(source.file) and source.is_public and not source.file_is_public,
            done=gettext_lazy("The file is public."),
        ),
        Step(
            "unpublish-file",
            gettext_lazy("Make the file private"),
            gettext_lazy("The file can no longer be downloaded by anyone outside the staff."),
            services.unpublish_source_file,
            "cases.publish_source",
            lambda source: source.file_is_public,
            done=gettext_lazy("The file is private."),
        ),
        _request_step("record", gettext_lazy("Ready for publication"), lambda s: not s.is_public),
        _request_step(
            "file",
            gettext_lazy("File ready for publication"),
            lambda s: bool(s.file) and not s.file_is_public,
        ),
    ],
    Page: [
        Step(
            "publish",
            gettext_lazy("Publish"),
            gettext_lazy("The page is public at its address, and linked from every page."),
            services.publish_page,
            "cases.change_page",
            lambda page: page.published_at is None,
            done=gettext_lazy("Published."),
        ),
        Step(
            "unpublish",
            gettext_lazy("Unpublish"),
            gettext_lazy("The page leaves the public site at once."),
            services.unpublish_page,
            "cases.change_page",
            lambda page: page.published_at is not None,
            done=gettext_lazy("Unpublished: no longer public."),
        ),
    ],
    Defender: [
        Step(
            "protect",
            gettext_lazy("Protect the identity"),
            gettext_lazy(
                "The real name and its spellings are hidden from readers and from staff without "
                "the confidential permission; readers see the pseudonym only, the defender has "
                "no public page, and the old address stops working at once. Only a publisher "
                "who may see the name can lift the protection."
            ),
            lambda defender, user, public_name, slug: services.protect_identity(
                defender, user, public_name=public_name, slug=slug
            ),
            "cases.change_defender",
            lambda defender: not defender.identity_protected,
            ProtectForm,
            gettext_lazy("The identity is protected."),
        ),
        Step(
            "lift",
            gettext_lazy("Lift the protection"),
            gettext_lazy(
                "The real name and its spellings become visible to every staff member, and the "
                "defender gets a public page under the public name. Change the public name and "
                "address first if the real name should be shown to readers."
            ),
            lambda defender, user, reason: services.lift_protection(defender, user, reason=reason),
            disclosure.PERMISSION,
            lambda defender: defender.identity_protected,
            ReasonForm,
            gettext_lazy("The protection is lifted."),
        ),
    ],
}

# Lifting a protection needs both permissions.
_ALSO_REQUIRED = {(Defender, "lift"): "cases.publish_case"}


def may_take(user, model, step):
    """Whether `user` holds the permissions of `step` (whether it applies now or not)."""
    return user.has_perm(step.permission) and user.has_perm(
        _ALSO_REQUIRED.get((model, step.name), step.permission)
    )


def steps_for(user, obj):
    """The publication steps `user` may take on `obj` now."""
    return [
        step
        for step in STEPS.get(type(obj), [])
        if may_take(user, type(obj), step)
        and step.applies(obj)
        # Those who may publish publish; asking is for the others.
        and not (step.name.startswith("request") and _may_publish(user, type(obj)))
    ]


def _may_publish(user, model):
    permission = disclosure.PUBLISH_PERMISSIONS.get(model)
    return permission is not None and user.has_perm(permission)


class PublicationAdminMixin:
    """Publication steps for a model admin: links on the record, a confirmation, bulk actions."""

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/publication/<slug:step>/",
                self.admin_site.admin_view(self.publication_view),
                name="{}_{}_publication".format(*info),
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            info = self.model._meta.app_label, self.model._meta.model_name
            context["publication_steps"] = [
                (
                    step.label,
                    reverse("admin:{}_{}_publication".format(*info), args=[obj.pk, step.name]),
                )
                for step in steps_for(request.user, obj)
            ]
            context["awaiting_publication"] = _requested(obj) or _requested(obj, "file")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def publication_view(self, request, object_id, step):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        found = next((s for s in STEPS.get(self.model, []) if s.name == step), None)
        if found is None:
            raise Http404
        allowed = [s.name for s in steps_for(request.user, obj)]
        change_url = reverse(
            f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change",
            args=[obj.pk],
        )
        if step not in allowed:
            if not may_take(request.user, self.model, found):
                raise PermissionDenied
            self.message_user(
                request, _("Nothing to do: that step does not apply now."), messages.WARNING
            )
            return HttpResponseRedirect(change_url)
        form = found.form(request.POST or None) if found.form else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                found.service(obj, request.user, **(form.cleaned_data if form else {}))
            except services.WorkflowError as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(change_url)
            except ValidationError as error:
                if form is None:
                    raise
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, str(found.done), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{found.label}: {disclosure.label(request.user, obj)}",
            "opts": self.model._meta,
            "original": obj,
            "shown_label": disclosure.label(request.user, obj),
            "step": found,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/cases/publication_confirm.html", context)

    # --- Bulk ------------------------------------------------------------------------------

    def get_actions(self, request):
        from .bulk import Bulk, add_actions

        actions = super().get_actions(request)
        user = request.user
        bulks = []
        for step in STEPS.get(self.model, []):
            if step.form is not None and not step.name.startswith("request"):
                continue  # needs words from the user: one record at a time
            if not may_take(user, self.model, step):
                continue
            if step.name.startswith("request") and _may_publish(user, self.model):
                continue
            bulks.append(
                Bulk(
                    f"publication_{step.name.replace('-', '_')}",
                    step.label,
                    step.explanation,
                    step.service,
                    step.permission,
                    step.form,
                    applies=step.applies,
                )
            )
        return add_actions(request, actions, bulks)


def may_publish_requests(user):
    return any(
        user.has_perm(p)
        for p in disclosure.PUBLISH_PERMISSIONS.values()
        if p != disclosure.PERMISSION
    )


def publishable_types(user):
    """The content types of the records `user` may publish (from the content-type cache)."""
    models = [
        model
        for model, permission in disclosure.PUBLISH_PERMISSIONS.items()
        if permission != disclosure.PERMISSION and user.has_perm(permission)
    ]
    return list(ContentType.objects.get_for_models(*models).values())


class ForMeFilter(admin.SimpleListFilter):
    """What awaits the reader: records they may publish, asked by someone else."""

    title = gettext_lazy("for me")
    parameter_name = "for_me"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("For me to review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.for_reviewer(request.user, publishable_types(request.user))
        if self.value():
            return queryset.none()
        return queryset


@admin.register(PublicationRequest)
class PublicationRequestAdmin(admin.ModelAdmin):
    """What awaits publication: publishers open each record, or publish several at once."""

    menu_group = MENU_PUBLICATION
    list_display = ["what", "requested_by", "requested_at", "note"]
    list_filter = [ForMeFilter, "what", "content_type"]
    list_select_related = ["content_type", "requested_by"]

    def has_add_permission(self, request):
        return False  # asked from the record itself

    def has_change_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        user = request.user

        @admin.display(description=gettext_lazy("record"))
        def record(row):
            record = row.record
            if record is None:
                return _("(deleted)")
            opts = record._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
            return format_html(
                "<a href='{}'>{}: {}</a>", url, opts.verbose_name, disclosure.label(user, record)
            )

        return [record, *super().get_list_display(request)]

    def get_list_display_links(self, request, list_display):
        return None  # the record column links to the record itself

    def get_actions(self, request):
        from .bulk import Bulk, add_actions

        actions = super().get_actions(request)
        if not may_publish_requests(request.user):
            return actions
        publish = Bulk(
            "publish_selected",
            gettext_lazy("Publish the selected records"),
            gettext_lazy(
                "Each record (or source file) becomes public at once, as its own Publish step "
                "would make it; the requests are done."
            ),
            _publish_requested,
            "cases.view_publicationrequest",
        )
        return add_actions(request, actions, [publish])


def _publish_requested(row, user):
    """Publish what `row` asks to publish, through the record's own publication step."""
    record = row.record
    if record is None:
        raise services.WorkflowError(_("the record was deleted"))
    name = "publish-file" if row.what == PublicationRequest.What.FILE else "publish"
    step = next((s for s in STEPS.get(type(record), []) if s.name == name), None)
    if step is None or not user.has_perm(step.permission):
        raise PermissionDenied
    if step.applies(record):
        step.service(record, user)
    row.delete()
