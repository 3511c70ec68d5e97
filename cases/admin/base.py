"""What every page of the staff workspace shares: history with revert, restore, locking."""

import contextvars

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from .. import disclosure
from ..history import (
    RevertError,
    deleted_records,
    highlighted,
    kept_fields,
    part_changes,
    preview,
    revert_to,
    version_time,
)
from ..locking import VersionedForm
from .conflicts import EditConflictMixin
from .dates import DayFirstDateField, DayFirstDateWidget
from .fields import bounded, plainly_labelled
from .saving import REFUSAL, RefusedSaveMixin
from .translations import TranslatedAdminMixin, translation_states

# Who reads the list or form being rendered (see ObservatoryAdmin.changelist_view and
# changeform_view): columns and read-only fields have no request.
_list_reader = contextvars.ContextVar("list_reader", default=None)


def page_reader():
    """The user the list or change form being rendered is for (None outside one)."""
    return _list_reader.get()


# Bookkeeping that moves on every save; listing it in every change would hide the real ones.
# So does the record of a record's translations (cases/multilingual.py): the texts are shown.
NOT_SHOWN_IN_CHANGES = ["version", "updated_at", "translations"]


# The groups of the workspace's menu (the index and the side bar, accounts/admin_site.py), in
# their order; a model admin says where it is listed with `menu_group`. None: not listed, for
# the link tables (a case's defenders, an alert's citations, an appeal's requested actions and
# addressees, a defender's other names), edited on the page of the record they belong to and
# still reachable from there, from the history and from autocomplete.
MENU_CASES = (1, gettext_lazy("Cases and their timelines"))
MENU_APPEALS = (2, gettext_lazy("Appeals and recommendations"))
MENU_SOURCES = (3, gettext_lazy("Sources"))
MENU_PUBLICATION = (4, gettext_lazy("Publication"))
MENU_VOCABULARIES = (5, gettext_lazy("Vocabularies"))


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


class ObservatoryAdmin(TranslatedAdminMixin, RefusedSaveMixin, SimpleHistoryAdmin):
    """
    A model admin whose history page lists every change with the fields it touched (and the
    changes to the parts edited on the same page), reverts to any version after showing what
    will change, and restores deleted records.
    """

    object_history_template = "admin/cases/object_history.html"
    # Dates are read day first, never guessed, and shown back in words (dates.py).
    formfield_overrides = {
        models.DateField: {"form_class": DayFirstDateField, "widget": DayFirstDateWidget}
    }
    object_history_list_template = "admin/cases/object_history_list.html"
    history_list_per_page = 50
    # A filtered list says "N results" without counting the whole table again: at a million
    # alerts, a second COUNT(*) on every page costs more than the page.
    show_full_result_count = False

    # --- Disclosure (cases/disclosure.py) ----------------------------------------------------
    # Staff never see what the declaration hides from them: not in forms (a save keeps it as
    # it is), lists, filters, ordering, search, autocomplete, history or revert previews. What
    # the public sees (publication fields) changes only through the publication services.

    def hidden_fields(self, request, obj=None):
        return disclosure.hidden_fields(request.user, self.model, obj)

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

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        for name in sorted(disclosure.publication_fields(self.model)):
            if name not in readonly and not disclosure.form_writable(
                request.user, self.model, name, obj
            ):
                readonly.append(name)
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        readonly = set(self.get_readonly_fields(request, obj)) | self.hidden_fields(request, obj)
        return {
            target: sources
            for target, sources in super().get_prepopulated_fields(request, obj).items()
            if target not in readonly
        }

    def get_list_display(self, request):
        shown = [*self._list_display(request)]
        if self.translated_fields():
            shown.append(translation_states)
        return shown

    def _list_display(self, request):
        shown = []
        for name in super().get_list_display(request):
            if not isinstance(name, str) or name not in disclosure.DECLARATION.get(self.model, {}):
                shown.append(name)
                continue
            condition = disclosure.listed_condition(request.user, self.model, name)
            if condition is None:
                shown.append(name)
            elif condition is not False:
                shown.append(_masked_column(self.model, name))
        return shown

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        if links and not any(link in list_display for link in links):
            return list_display[:1]  # the linked column is hidden: link the first shown
        return links

    def get_list_filter(self, request):
        return [
            f
            for f in super().get_list_filter(request)
            if not isinstance(f, str) or disclosure.lookup_visible(request.user, self.model, f)
        ]

    def _search_plan(self, request):
        """
        (plain, conditional): the search fields the user may search on every row, and those
        they may search only on the rows where a condition holds (a public source's title),
        with the condition. Fields hidden on every row are left out.
        """
        plain, conditional = [], []
        for name in super().get_search_fields(request):
            lookup = name.lstrip("^=@")
            if disclosure.lookup_visible(request.user, self.model, lookup):
                plain.append(name)
                continue
            first, _sep, rest = lookup.partition("__")
            condition = disclosure.listed_condition(request.user, self.model, first)
            related = self.model._meta.get_field(first).related_model
            if condition and (not rest or disclosure.lookup_visible(request.user, related, rest)):
                conditional.append((name, condition))
        return plain, conditional

    def get_search_fields(self, request):
        plain, conditional = self._search_plan(request)
        return plain + [name for name, _condition in conditional]

    def get_search_results(self, request, queryset, search_term):
        """
        Staff without the permission also find records by a field that is public on some of
        them (a public source's title), but only on those.
        """
        plain, conditional = self._search_plan(request)
        if not conditional:
            return super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return queryset, False
        lookups = {"^": "istartswith", "=": "iexact", "@": "search"}
        for term in search_term.split():
            found = Q()
            for name in plain:
                lookup = lookups.get(name[0], "icontains")
                found |= Q(**{f"{name.lstrip('^=@')}__{lookup}": term})
            for name, condition in conditional:
                found |= condition & Q(**{f"{name.lstrip('^=@')}__icontains": term})
            queryset = queryset.filter(found)
        return queryset, any("__" in name for name in plain + [n for n, _c in conditional])

    def lookup_allowed(self, lookup, value, request):
        # The admin allows any lookup on the model's own fields from the URL: without this,
        # ?risk_level=critical or ?file_name__regex=… would tell, by the count, what is hidden.
        if not disclosure.lookup_visible(request.user, self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_ordering(self, request):
        return [
            o
            for o in super().get_ordering(request)
            if disclosure.lookup_visible(request.user, self.model, o)
        ]

    def view_on_site(self, obj):
        """
        "View on site" only where the public sees the record: a draft's public address is a
        404. (A draft appeal has its Preview beside it.)
        """
        is_published = getattr(obj, "is_published", None)
        if is_published is None or not hasattr(obj, "get_absolute_url") or not is_published():
            return None
        return obj.get_absolute_url()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = bounded(super().formfield_for_dbfield(db_field, request, **kwargs))
        formfield = plainly_labelled(db_field, formfield)
        if (
            formfield is not None
            and db_field.is_relation
            and hasattr(formfield, "label_from_instance")
        ):
            user = request.user
            # A related record is named as the user may see it (a private source by number).
            formfield.label_from_instance = lambda obj: disclosure.label(user, obj)
        return formfield

    def changelist_view(self, request, extra_context=None):
        # The list's checkboxes name each row (action_checkbox has no request): rendered here,
        # while the reader is known.
        token = _list_reader.set(request.user)
        try:
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response
        finally:
            _list_reader.reset(token)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        token = _list_reader.set(request.user)
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response
        finally:
            _list_reader.reset(token)

    def action_checkbox(self, obj):
        user = _list_reader.get()
        attrs = {
            "class": "action-select",
            "aria-label": format_html(
                _("Select this object for an action - {}"),
                disclosure.label(user, obj) if user is not None else f"#{obj.pk}",
            ),
        }
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    # The admin names the record it saved in its messages and in "Recent actions" (str(obj)):
    # named as the user may see it instead.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        shown = str(disclosure.label(request.user, obj))
        if shown != str(obj):
            request.disclosure_relabel = (conditional_escape(str(obj)), conditional_escape(shown))

    def message_user(self, request, message, *args, **kwargs):
        relabel = getattr(request, "disclosure_relabel", None)
        if relabel:
            text = str(message).replace(relabel[0], relabel[1])
            message = mark_safe(text) if isinstance(message, SafeData) else text  # noqa: S308 # nosec B308 B703 -- both parts escaped
        super().message_user(request, message, *args, **kwargs)

    def log_addition(self, request, obj, message):
        return self._relabelled(request, obj, super().log_addition(request, obj, message))

    def log_change(self, request, obj, message):
        return self._relabelled(request, obj, super().log_change(request, obj, message))

    @staticmethod
    def _relabelled(request, obj, entry):
        shown = str(disclosure.label(request.user, obj))
        if entry is not None and hasattr(entry, "object_repr") and entry.object_repr != shown:
            entry.object_repr = shown[:200]
            entry.save(update_fields=["object_repr"])
        return entry

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["shown_label"] = context["subtitle"] = disclosure.label(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view_title(self, request, obj):
        return _("Change history: %(object)s") % {"object": disclosure.label(request.user, obj)}

    def shown_parts(self, request, records):
        """Parts (or their history records) the user may see: no protected identity, no
        private source's citation."""
        return disclosure.shown_parts(request.user, records)

    # --- History ---------------------------------------------------------------------------

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        if not records:
            return
        current = self.model._default_manager.filter(pk=records[0].id).first()
        hidden = disclosure.history_hidden_fields(request.user, self.model, current)
        # Each version is named as the record is now when its past names are hidden (a
        # protected defender's former public name is the real one).
        masked = bool(hidden & disclosure.publication_fields(self.model)) or bool(
            hidden & disclosure.fields_of(self.model, disclosure.PublicWhen)
        )
        for record in records:
            record.shown_label = (
                disclosure.label(request.user, current) if masked and current else None
            ) or disclosure.label(request.user, record.history_object)
        previous = None
        for record in records:
            if previous is not None:
                delta = previous.diff_against(
                    record,
                    excluded_fields=NOT_SHOWN_IN_CHANGES,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                changes = helper.context_for_delta_changes(delta)
                for change, raw in zip(changes, delta.changes, strict=True):
                    if raw.field in hidden:
                        change["old"] = change["new"] = disclosure.CONFIDENTIAL_MARK
                previous.history_delta_changes = changes
            previous = record

    def _visible(self, request, pk):
        """The record as the user may open it: None when it is not there for them (an alias
        of a protected defender for staff who may not see it)."""
        return self.get_queryset(request).filter(pk=pk).first()

    def history_view(self, request, object_id, extra_context=None):
        obj = self.model._default_manager.filter(pk=unquote(object_id)).first()
        if obj is not None and self._visible(request, obj.pk) is None:
            raise Http404
        context = {
            "shown_label": disclosure.label(request.user, obj) if obj else "",
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
        # Not there for those who may not see it: a protected defender's alias, say.
        if current is not None and self._visible(request, current.pk) is None:
            raise Http404
        if current is None and not self.shown_parts(request, [record]):
            raise Http404
        hidden = disclosure.history_hidden_fields(request.user, self.model, current)
        if request.method == "POST":
            return self._revert(request, record, current, hidden)
        name = disclosure.label(request.user, current or record.instance)
        if current is None and hidden:
            name = _("#%(pk)s") % {"pk": record.id}
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revert %(object)s") % {"object": name},
            "opts": self.model._meta,
            "record": record,
            "current": current,
            "shown_label": name,
            "preview": highlighted(
                preview(
                    record,
                    hidden=hidden,
                    shown_parts=lambda parts: self.shown_parts(request, parts),
                )
            ),
            "kept": self._kept_labels(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/cases/revert_confirmation.html", context)

    def _kept_labels(self):
        names = {f.name for f in self.model._meta.concrete_fields} & kept_fields(self.model)
        names -= {"id", "version", "created_at", "updated_at"}
        return sorted(str(self.model._meta.get_field(n).verbose_name) for n in names)

    def _revert(self, request, record, current, hidden):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                obj = revert_to(record, user=request.user, hidden=hidden)
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
        # The version's time as the history list shows it: local time, the same format.
        when = version_time(record)
        self.log_change(request, obj, _("Reverted to the version of %(date)s.") % {"date": when})
        self.message_user(
            request,
            _("“%(object)s” is back to the version of %(date)s.")
            % {"object": disclosure.label(request.user, obj), "date": when},
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
        for record in records:
            record.shown_label = disclosure.label(request.user, record.instance)
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


class DisclosingAutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete, naming each result as the user may see it."""

    def serialize_result(self, obj, to_field_name):
        return {
            "id": str(getattr(obj, to_field_name)),
            "text": str(disclosure.label(self.request.user, obj)),
        }


def _masked_column(model, name):
    """A list column of a field shown only on the records where its condition holds."""
    kind = disclosure.field_class(model, name)
    model_field = model._meta.get_field(name)

    @admin.display(description=model_field.verbose_name)
    def column(obj):
        if not kind.holds(obj):
            return disclosure.CONFIDENTIAL_MARK
        value = getattr(obj, name)
        return value if not model_field.choices else getattr(obj, f"get_{name}_display")()

    column.__name__ = f"shown_{name}"
    return column


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
