"""
Every language of a record on its one page: the texts in the record's original language where
the form has them, then one section per other language with its translations and whether
they are missing, outdated (the original changed since) or up to date. Lists and searches
read every language.
"""

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from ..multilingual import (
    CURRENT,
    LANGUAGE_CODES,
    MISSING,
    ORIGINAL,
    OUTDATED,
    column,
    needing_translation,
    original_language,
    state,
    states,
    translated_fields,
)

STATE_LABELS = {
    ORIGINAL: gettext_lazy("original"),
    MISSING: gettext_lazy("missing"),
    OUTDATED: gettext_lazy("outdated: the original changed since"),
    CURRENT: gettext_lazy("up to date"),
}


def language_label(code):
    return _(get_language_info(code)["name"])


def _expand(fields, translated, original):
    """`fields` of a fieldset with each translated name in the original language's column."""
    expanded = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            expanded.append(tuple(column(f, original) if f in translated else f for f in field))
        else:
            expanded.append(column(field, original) if field in translated else field)
    return expanded


def _names(fieldsets):
    names = set()
    for _name, options in fieldsets:
        for field in options["fields"]:
            names.update(field if isinstance(field, (list, tuple)) else [field])
    return names


WRITE_ORIGINALS = "cases.write_originals"


def translating_only(user):
    """Whether `user` may write translations only (the Translator role): no original text,
    no other field, no new record, no deletion."""
    return not user.has_perm(WRITE_ORIGINALS)


def translation_columns_of(model, original):
    """The columns a translator writes: each translated field in every language but the
    record's original."""
    return {
        column(name, code)
        for name in translated_fields(model)
        for code in LANGUAGE_CODES
        if code != original
    }


def all_but_translations(model, original):
    """Every field of `model` a form could write, but the translations."""
    names = {f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many}
    names -= {f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete}
    return sorted(names - translation_columns_of(model, original))


def expand_translated(model, fields, parent=None):
    """An inline's `fields` with each translated one in every language, the parent record's
    original language first (the parts of an appeal are written in its language)."""
    translated = translated_fields(model)
    if not translated:
        return fields
    first = original_language(parent) if parent is not None else settings.LANGUAGE_CODE
    codes = [first, *(code for code in LANGUAGE_CODES if code != first)]
    expanded = []
    for field in fields:
        if field in translated:
            expanded += [column(field, code) for code in codes]
        else:
            expanded.append(field)
    return expanded


class TranslatedAdminMixin:
    """For the admin of a model whose texts are translated (cases/translation.py)."""

    def translated_fields(self):
        return translated_fields(self.model)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        translated = self.translated_fields()
        if not translated:
            return fieldsets
        original = original_language(obj) if obj is not None else settings.LANGUAGE_CODE
        present = [name for name in translated if name in _names(fieldsets)]
        shown = [
            (name, {**o, "fields": _expand(o["fields"], translated, original)})
            for name, o in fieldsets
        ]
        for code in LANGUAGE_CODES:
            if code == original or not present:
                continue
            condition = state(obj, code) if obj is not None else MISSING
            shown.append(
                (
                    format_html("{} — {}", language_label(code), STATE_LABELS[condition]),
                    {
                        "fields": [column(name, code) for name in present],
                        "classes": ["translation", f"translation-{condition}"]
                        + (["collapse"] if condition == CURRENT else []),
                    },
                )
            )
        return shown

    def get_prepopulated_fields(self, request, obj=None):
        """A slug is made from the original's title."""
        translated = self.translated_fields()
        if not translated:
            return super().get_prepopulated_fields(request, obj)
        original = original_language(obj) if obj is not None else settings.LANGUAGE_CODE
        return {
            target: [column(f, original) if f in translated else f for f in sources]
            for target, sources in super().get_prepopulated_fields(request, obj).items()
        }

    def has_add_permission(self, request, *args):
        return not translating_only(request.user) and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        if translating_only(request.user):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        if translating_only(request.user):
            return {}
        return super().get_actions(request)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if translating_only(request.user):
            original = original_language(obj) if obj is not None else settings.LANGUAGE_CODE
            extra = all_but_translations(self.model, original)
            return readonly + [name for name in extra if name not in readonly]
        translated = self.translated_fields()
        # What is read-only is so in every language.
        for name in [n for n in readonly if n in translated]:
            readonly += [column(name, code) for code in LANGUAGE_CODES]
        return readonly

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self.translated_fields() and TranslationFilter not in filters:
            filters.append(TranslationFilter)
        return filters

    def get_search_fields(self, request):
        """A record is found by any of its translations."""
        translated = self.translated_fields()
        fields = []
        for name in super().get_search_fields(request):
            lookup = name.lstrip("^=@")
            prefix = name[: len(name) - len(lookup)]
            field, _sep, rest = lookup.partition("__")
            if field in translated:
                fields += [
                    prefix + column(field, code) + (f"__{rest}" if rest else "")
                    for code in LANGUAGE_CODES
                ]
            else:
                fields.append(name)
        return fields


@admin.display(description=gettext_lazy("translations"))
def translation_states(obj):
    """The list column: each language but the original, marked missing or outdated."""
    marks = []
    for code, condition in states(obj).items():
        if condition in (MISSING, OUTDATED):
            marks.append(
                format_html(
                    '<span class="translation-{}" title="{}">{}: {}</span>',
                    condition,
                    STATE_LABELS[condition],
                    code,
                    STATE_LABELS[condition],
                )
            )
    if not marks:
        return _("all up to date")
    return format_html("{}", format_html(" · ".join(["{}"] * len(marks)), *marks))


class TranslationFilter(admin.SimpleListFilter):
    """The list's records whose translation into a language is missing or outdated."""

    title = gettext_lazy("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            (f"{condition}-{code}", f"{language_label(code)}: {STATE_LABELS[condition]}")
            for code in LANGUAGE_CODES
            for condition in (MISSING, OUTDATED)
        ]

    def queryset(self, request, queryset):
        condition, _sep, code = (self.value() or "").partition("-")
        if condition in (MISSING, OUTDATED) and code in LANGUAGE_CODES:
            return needing_translation(queryset, code, condition)
        return queryset
