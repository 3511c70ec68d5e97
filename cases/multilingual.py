"""
Texts in several languages: which language a record was written in, what each of its
translations is (missing, outdated, current), and which language a reader is shown.

The columns are django-modeltranslation's (cases/translation.py), one per language for each
field that cases/disclosure.py declares TRANSLATED. Two rules hold whatever writes a record
(a form, an import, a revert, a fixture):

- the field's own column (`title`) holds the original: the text in the record's original
  language, which the search and the history read (Translated.save);
- `translations` remembers, for each language, a digest of the translation and of the
  original it was made from, and when it was written: a translation is outdated once the
  original has changed since (keep_translations).

On a page, `case.title` is the text of the active language or, where there is none, of the
first language of settings.LANGUAGES that has one; shown_language() says which, so that the
page can mark the passage with its `lang` and tell the reader.
"""

import hashlib
import json

from django.conf import settings
from django.db.models import F, Q, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation
from modeltranslation.utils import get_language, resolution_order

from .disclosure import TRANSLATED

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

# The key of `translations` that holds the digest of the original.
SOURCE = "source"

ORIGINAL = "original"
MISSING = "missing"
OUTDATED = "outdated"
CURRENT = "current"


def translated_fields(model):
    return TRANSLATED.get(model, ())


def column(name, language):
    return f"{name}_{language}"


def original_language(obj):
    """The language `obj` was written in (ORIGINAL_LANGUAGE_FIELD: its own field, or its
    parent's, "appeal.language")."""
    value = obj
    path = getattr(type(obj), "ORIGINAL_LANGUAGE_FIELD", "")  # none: not translated
    for attribute in path.split(".") if path else []:
        value = getattr(value, attribute, None)
    return value if path and value in LANGUAGE_CODES else settings.LANGUAGE_CODE


def texts(obj, language):
    """The record's translated texts in `language`, as stored ("" where there is none)."""
    return {
        name: getattr(obj, column(name, language)) or "" for name in translated_fields(type(obj))
    }


def _digest(values):
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def keep_translations(obj):
    """
    Bring `obj.translations` up to date with its columns: a language whose texts changed is
    recorded as translated now, from the original as it is now; a language without text is
    forgotten. Called before every save (Translated.save, and pre_save for fixtures).
    """
    # An empty translation is stored as its field stores emptiness ("" for a text, NULL for a
    # unique name), whoever left it empty: a form's "" and a new record's None are the same.
    for name in translated_fields(type(obj)):
        for language in LANGUAGE_CODES:
            field = obj._meta.get_field(column(name, language))
            if getattr(obj, field.attname) in (None, ""):
                setattr(obj, field.attname, field.empty_value)
    original = original_language(obj)
    source = texts(obj, original)
    kept = {}
    for language in LANGUAGE_CODES:
        if language == original:
            continue
        values = texts(obj, language)
        if not any(values.values()):
            continue
        digest = _digest(values)
        before = (obj.translations or {}).get(language) or {}
        if before.get("text") == digest:
            kept[language] = before
        else:
            kept[language] = {
                "text": digest,
                "of": _digest(source),
                "at": timezone.now().isoformat(timespec="seconds"),
            }
    # The original's digest, beside what each translation was made from: lists and the
    # dashboard find outdated translations in SQL (needing_translation).
    kept[SOURCE] = _digest(source)
    obj.translations = kept


def translations_kept(sender, instance, raw=False, **kwargs):
    """pre_save: what a fixture loads is kept like what a form saves."""
    if raw:
        keep_translations(instance)


def state(obj, language):
    """ORIGINAL, MISSING, OUTDATED or CURRENT: what `obj` has in `language`."""
    original = original_language(obj)
    if language == original:
        return ORIGINAL
    source = texts(obj, original)
    values = texts(obj, language)
    if any(source[name] and not values[name] for name in source):
        return MISSING
    recorded = (obj.translations or {}).get(language) or {}
    if recorded.get("of") != _digest(source):
        return OUTDATED
    return CURRENT


def states(obj):
    """{language: state} for every language of the site, the original first."""
    return {language: state(obj, language) for language in LANGUAGE_CODES}


def saving_in_original(obj):
    """The language to save `obj` in, so that its own columns receive the original."""
    return translation.override(original_language(obj))


# --- What a reader is shown -----------------------------------------------------------------


def shown_language(obj, name, language=None):
    """The language of the text that `obj.<name>` shows a reader of `language` (the active
    one by default): theirs, or the first after it with a text; None if no language has one."""
    for code in resolution_order(language or get_language()):
        if getattr(obj, column(name, code), None):
            return code
    return None


def fallbacks(obj, language=None):
    """The languages `obj`'s texts are shown in instead of `language`, in order (empty when
    every text it has is in `language`)."""
    language = language or get_language()
    shown = []
    for name in translated_fields(type(obj)):
        code = shown_language(obj, name, language)
        if code is not None and code != language and code not in shown:
            shown.append(code)
    return shown


def needing_translation(queryset, language, condition):
    """
    The records of `queryset` whose translation into `language` is MISSING (a text of the
    original has none) or OUTDATED (the original changed since it was made), in one query.
    """
    model = queryset.model
    original = model.ORIGINAL_LANGUAGE_FIELD.replace(".", "__")
    not_original = ~Q(**{original: language})

    def empty(name, code):
        return Q(**{f"{column(name, code)}__isnull": True}) | Q(**{column(name, code): ""})

    missing = Q()
    for name in translated_fields(model):
        # The original has a text (in its own language's column) and this language none.
        has_text = Q()
        for code in LANGUAGE_CODES:
            has_text |= Q(**{original: code}) & ~empty(name, code)
        missing |= empty(name, language) & has_text
    if condition == MISSING:
        return queryset.filter(not_original & missing)
    made_from = KT(f"translations__{language}__of")
    return (
        queryset.alias(
            translation_made_from=made_from,
            translation_original=KT(f"translations__{SOURCE}"),
        )
        .filter(not_original)
        .exclude(missing)
        .exclude(translation_made_from=F("translation_original"))
    )


def in_language(name, language=None):
    """
    An expression for the text of `name` (a translated field, or a path to one:
    "case__title") in `language` (the active one by default), the original where it has
    none: for plain values (an export) read without model instances. On a queryset that does
    not rewrite names (`.rewrite(False)`), so that `name` is the record's own column.
    """
    language = language or get_language()
    return Coalesce(NullIf(F(column(name, language)), Value("")), F(name), output_field=TextField())
