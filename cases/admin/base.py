"""What every page of the staff workspace shares: history with revert, restore, locking."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, router, transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from .. import confidential
from ..history import (
    RevertError,
    deleted_records,
    kept_fields,
    part_changes,
    preview,
    revert_to,
)
from ..locking import VersionedForm
from .conflicts import EditConflictMixin
from .saving import REFUSAL, RefusedSaveMixin

# Bookkeeping that moves on every save; listing it in every change would hide the real ones.
NOT_SHOWN_IN_CHANGES = ["version", "updated_at"]


class PublishedFilter(admin.SimpleListFilter):
    title = gettext_lazy("published")
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Published")), ("no", gettext_lazy("Not published"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(published_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(published_at__isnull=True)
        return queryset


class ObservatoryAdmin(RefusedSaveMixin, SimpleHistoryAdmin):
    """
    A model admin whose history page lists every change with the fields it touched (and the
    changes to the parts edited on the same page), reverts to any version after showing what
    will change, and restores deleted records.
    """

    object_history_template = "admin/cases/object_history.html"
    history_list_per_page = 50
    # A filtered list says "N results" without counting the whole table again: at a million
    # alerts, a second COUNT(*) on every page costs more than the page.
    show_full_result_count = False

    # --- Confidential fields ---------------------------------------------------------------
    # Staff without the view-confidential permission never see them: not in forms (so a
    # save keeps them as they are), lists, filters, search, history or revert previews.

    def hidden_fields(self, request, obj=None):
        return confidential.hidden_fields(request.user, self.model, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = self.hidden_fields(request, obj)
        if not hidden:
            return fieldsets
        shown = []
        for name, options in fieldsets:
            fields = []
            for field in options["fields"]:
                if isinstance(field, (list, tuple)):
                    field = tuple(f for f in field if f not in hidden)
                    if field:
                        fields.append(field)
                elif field not in hidden:
                    fields.append(field)
            if fields:
                shown.append((name, {**options, "fields": fields}))
        return shown

    def get_list_display(self, request):
        hidden = self.hidden_fields(request)
        return [f for f in super().get_list_display(request) if f not in hidden]

    def get_list_filter(self, request):
        hidden = self.hidden_fields(request)
        return [f for f in super().get_list_filter(request) if f not in hidden]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if confidential.may_view(request.user):
            return fields
        hidden = self.hidden_fields(request) | confidential.SEARCH_LOOKUPS.get(self.model, set())
        return [f for f in fields if f.lstrip("^=@") not in hidden]

    def lookup_allowed(self, lookup, value, request):
        # The admin allows any lookup on the model's own fields from the URL: without this,
        # ?risk_level=critical or ?internal_notes__contains=… would tell by the count.
        if not confidential.may_view(request.user):
            path = lookup.split("__")
            hidden = self.hidden_fields(request) | confidential.SEARCH_LOOKUPS.get(
                self.model, set()
            )
            if path[0] in hidden or any(
                "__".join(path[:n]) in hidden for n in range(2, len(path) + 1)
            ):
                return False
        return super().lookup_allowed(lookup, value, request)

    def shown_parts(self, request, records):
        """Parts (or their history records) the user may see: no protected identity."""
        if confidential.may_view(request.user):
            return list(records)
        return confidential.without_protected_identities(records)

    # --- History ---------------------------------------------------------------------------

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=[*NOT_SHOWN_IN_CHANGES, *self.hidden_fields(request)],
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def history_view(self, request, object_id, extra_context=None):
        obj = self.model._default_manager.filter(pk=unquote(object_id)).first()
        context = {
            "part_history": self.shown_parts(request, part_changes(obj)) if obj else [],
            "deleted_url": self._url("deleted"),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Show what reverting to this version changes; revert on POST."""
        history_model = self.model.history.model
        record = get_object_or_404(history_model, id=unquote(object_id), history_id=version_id)
        current = self.model._default_manager.filter(pk=record.id).first()
        allowed = (
            self.has_change_permission(request, current)
            if current
            else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        if request.method == "POST":
            return self._revert(request, record, current)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revert %(object)s") % {"object": record.history_object},
            "opts": self.model._meta,
            "record": record,
            "current": current,
            "preview": preview(
                record,
                hidden=self.hidden_fields(request, current),
                shown_parts=lambda parts: self.shown_parts(request, parts),
            ),
            "kept": self._kept_labels(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/cases/revert_confirmation.html", context)

    def _kept_labels(self):
        names = {f.name for f in self.model._meta.concrete_fields} & kept_fields(self.model)
        names -= {"id", "version", "created_at", "updated_at"}
        return sorted(str(self.model._meta.get_field(n).verbose_name) for n in names)

    def _revert(self, request, record, current):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                obj = revert_to(record, user=request.user)
        except (RevertError, ValidationError, IntegrityError) as error:
            detail = "; ".join(error.messages) if isinstance(error, ValidationError) else error
            self.message_user(
                request,
                _("Nothing was changed: this version cannot be restored (%(detail)s).")
                % {"detail": detail},
                messages.ERROR,
            )
            if current:
                return HttpResponseRedirect(self._url("history", current.pk))
            return HttpResponseRedirect(self._url("deleted"))
        self.log_change(
            request, obj, _("Reverted to the version of %(date)s.") % {"date": record.history_date}
        )
        self.message_user(
            request,
            _("“%(object)s” is back to the version of %(date)s.")
            % {"object": obj, "date": record.history_date.strftime("%Y-%m-%d %H:%M")},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._url("change", obj.pk))

    # --- Deleted records -------------------------------------------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="{}_{}_deleted".format(*info),
            ),
        ] + super().get_urls()

    def deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        records = self.shown_parts(request, deleted_records(self.model)[:100])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleted %(name)s") % {"name": self.model._meta.verbose_name_plural},
            "opts": self.model._meta,
            "records": records,
        }
        return TemplateResponse(request, "admin/cases/deleted_records.html", context)

    def _url(self, view, *args):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}", args=args
        )


class VersionedAdmin(EditConflictMixin, ObservatoryAdmin):
    """
    For every record staff edit: the change form carries the version it showed, and a save over
    a newer version is refused with who changed it and when, field by field (cases/locking.py).
    """

    form = VersionedForm

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        using = router.db_for_write(self.model)
        refused = getattr(request, REFUSAL, None)  # showing a refused save again: no lock
        if (
            obj is not None
            and request.method == "POST"
            and not refused
            and not transaction.get_autocommit(using)
        ):
            # The admin saves inside a transaction: hold the row until it commits, so that of
            # two saves at the same moment the second one sees the first one's version.
            obj = self.model._default_manager.select_for_update().get(pk=obj.pk)
        return obj

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        shown = flatten_fieldsets(fieldsets)
        if (
            obj is not None
            and self.has_change_permission(request, obj)
            and "edit_version" not in shown
        ):
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], "edit_version"]})
        return fieldsets


def prefilled_add_url(model, **initial):
    """The add page of `model` with fields filled in, e.g. the case of an alert."""
    opts = model._meta
    query = "&".join(f"{name}={value}" for name, value in initial.items())
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_add") + (f"?{query}" if query else "")


def require_object(model_admin, request, object_id):
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404(_("No such %(name)s.") % {"name": model_admin.model._meta.verbose_name})
    return obj
