"""
Bulk actions of the lists (publish, assign, set a follow-up date, close): like Django's delete
action, each first shows a confirmation page that names the selected records, says what will
happen and asks for what it needs (a lead officer, a date, a reason); on confirmation each
record goes through its service of cases/services.py, one by one, each in its own transaction,
and the message says how many were changed and which were refused, and why.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import disclosure, services

# The records listed on a confirmation page; the others are counted.
SHOWN = 100


@dataclass(frozen=True)
class Bulk:
    name: str
    label: Any
    explanation: Any  # what happens, for the confirmation page
    apply: Any  # (obj, user, **form data) -> obj; raises WorkflowError to refuse
    permission: str
    form: Any = None
    applies: Any = None  # obj -> bool: False is refused with `not_applicable`
    not_applicable: Any = gettext_lazy("nothing to do: that does not apply to it now")


def _reason(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied):
        return _("you may not do that")
    return str(error)


def action_for(bulk):
    """The admin action of `bulk`: a confirmation page first, then the service per record."""

    def action(model_admin, request, queryset):
        user = request.user
        if not user.has_perm(bulk.permission):
            raise PermissionDenied
        confirmed = request.POST.get("confirm") == "yes"
        form = bulk.form(request.POST if confirmed else None) if bulk.form else None
        if confirmed and (form is None or form.is_valid()):
            data = form.cleaned_data if form else {}
            done, refused = 0, []
            for obj in queryset:
                label = disclosure.label(user, obj)
                if bulk.applies is not None and not bulk.applies(obj):
                    refused.append((label, str(bulk.not_applicable)))
                    continue
                try:
                    bulk.apply(obj, user, **data)
                except (services.WorkflowError, ValidationError, PermissionDenied) as error:
                    refused.append((label, _reason(error)))
                else:
                    done += 1
            model_admin.message_user(
                request,
                ngettext(
                    "%(label)s: %(n)d record changed.", "%(label)s: %(n)d records changed.", done
                )
                % {"label": bulk.label, "n": done},
                messages.SUCCESS if done else messages.WARNING,
            )
            if refused:
                model_admin.message_user(
                    request,
                    ngettext("%(n)d refused: %(which)s", "%(n)d refused: %(which)s", len(refused))
                    % {
                        "n": len(refused),
                        "which": "; ".join(f"{label} ({why})" for label, why in refused),
                    },
                    messages.WARNING,
                )
            return None  # back to the list
        opts = model_admin.model._meta
        selected = list(queryset[: SHOWN + 1])
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("%(action)s: are you sure?") % {"action": bulk.label},
            "opts": opts,
            "bulk": bulk,
            "form": form,
            "labels": [disclosure.label(user, obj) for obj in selected[:SHOWN]],
            "more": queryset.count() - SHOWN if len(selected) > SHOWN else 0,
            "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_name": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cases/bulk_confirm.html", context)

    action.__name__ = bulk.name
    return action


def add_actions(request, actions, bulks):
    """Add the `bulks` the user may take to a model admin's `actions`."""
    for bulk in bulks:
        if request.user.has_perm(bulk.permission):
            actions[bulk.name] = (action_for(bulk), bulk.name, bulk.label)
    return actions


# --- The forms of the actions that need something from the user ---------------------------


class AssignForm(forms.Form):
    lead_officer = forms.ModelChoiceField(
        label=gettext_lazy("Lead officer"), queryset=None, empty_label=None
    )

    def __init__(self, *args, **kwargs):
        from .cases import staff_members, staff_name

        super().__init__(*args, **kwargs)
        self.fields["lead_officer"].queryset = staff_members()
        self.fields["lead_officer"].label_from_instance = staff_name


class FollowUpForm(forms.Form):
    follow_up_on = forms.DateField(
        label=gettext_lazy("Follow up on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty clears the follow-up of every selected record."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("What to do then, e.g. “ask the ministry again”."),
    )

    def clean_follow_up_on(self):
        on = self.cleaned_data.get("follow_up_on")
        if on is not None and on.year < 1900:
            raise ValidationError(_("Give a date from 1900 on."))
        return on


class CloseForm(forms.Form):
    closed_on = forms.DateField(
        label=gettext_lazy("Closed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=gettext_lazy("Closing reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Shown publicly on a published case."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


ASSIGN = Bulk(
    "assign_lead_officer",
    gettext_lazy("Assign a lead officer"),
    gettext_lazy("The selected cases get this lead officer; their collaborators stay."),
    lambda case, user, lead_officer: services.assign_case(case, user, lead_officer=lead_officer),
    "cases.change_case",
    AssignForm,
)


def follow_up_bulk(model_name):
    return Bulk(
        "set_follow_up",
        gettext_lazy("Set a follow-up date"),
        gettext_lazy(
            "From that day, the dashboard reminds the lead officer and collaborators of each "
            "case (everyone, when nobody is assigned)."
        ),
        lambda obj, user, follow_up_on, note: services.set_follow_up(
            obj, user, on=follow_up_on, note=note
        ),
        f"cases.change_{model_name}",
        FollowUpForm,
    )


CLOSE = Bulk(
    "close_cases",
    gettext_lazy("Close"),
    gettext_lazy(
        "The selected cases are closed on this date, with this reason: on a published case "
        "readers see both."
    ),
    lambda case, user, closed_on, reason: services.close_case(
        case, user, on=closed_on, reason=reason
    ),
    "cases.publish_case",
    CloseForm,
    applies=lambda case: case.status != case.Status.CLOSED,
    not_applicable=gettext_lazy("already closed"),
)
