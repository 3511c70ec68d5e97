"""
The staff workspace's side of cases/locking.py: the refusal page of a stale save, and the
inlines whose rows are versioned like the records they belong to.
"""

from django.conf import settings
from django.db import router, transaction
from django.forms.models import BaseInlineFormSet

from ..locking import VersionedForm
from ..multilingual import original_language
from .fields import bounded
from .saving import REFUSAL
from .translations import all_but_translations, expand_translated, translating_only


class EditConflictMixin:
    """A ModelAdmin whose change form lists, above the fields, what changed since it opened."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        forms = [context["adminform"].form] if "adminform" in context else []
        for inline in context.get("inline_admin_formsets", []):
            forms += inline.formset.forms
        context["edit_conflicts"] = [
            form.edit_conflict for form in forms if getattr(form, "edit_conflict", None)
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)


class VersionedInlineFormSet(BaseInlineFormSet):
    def _should_delete_form(self, form):
        # Django ignores the errors of a row ticked for deletion. A row someone else changed
        # since this page was opened is not deleted unseen: its refusal shows their change, and
        # saving again from there deletes it.
        return super()._should_delete_form(form) and getattr(form, "edit_conflict", None) is None


class VersionedInline:
    """
    Mixed into an InlineModelAdmin whose model is versioned: each row's form carries the
    version it showed, and on a save the rows are read under a lock, like the record itself
    (VersionedAdmin.get_object), so that an older page cannot silently restore a row someone
    edited on its own page.
    """

    form = VersionedForm
    formset = VersionedInlineFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return bounded(super().formfield_for_dbfield(db_field, request, **kwargs))

    # A translator writes the translations of the parts, nothing else of them.
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if translating_only(request.user):
            original = original_language(obj) if obj is not None else settings.LANGUAGE_CODE
            readonly += [f for f in all_but_translations(self.model, original) if f not in readonly]
        return readonly

    def has_add_permission(self, request, obj=None):
        return not translating_only(request.user) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not translating_only(request.user) and super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = expand_translated(self.model, list(super().get_fields(request, obj)), obj)
        return fields if "edit_version" in fields else [*fields, "edit_version"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        using = router.db_for_write(self.model)
        if (
            request.method == "POST"
            and not getattr(request, REFUSAL, None)
            and not transaction.get_autocommit(using)
        ):
            queryset = queryset.select_for_update(of=("self",))
        return queryset
