"""
The translated texts declared in cases/disclosure.py (TRANSLATED): a column per language of
settings.LANGUAGES for each (django-modeltranslation: `title_en`, `title_fr`, ...), on the
record's own table, so that a
page in any language reads the same rows with the same queries. `title` reads the column of
the active language and falls back, in the order of LANGUAGES, to the first language that has
a text (cases/translations.py says which one a reader was shown, and why).

A translation is disclosed like the field it translates, and only public texts are
translated. The models' histories are registered here, after their translation columns
exist, so that a change to any language is in the history like any other.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, translator

from .disclosure import TRANSLATED
from .models import Organisation, ViolationType

# Names are unique in their language: an empty translation is NULL, so that two records
# without a French name do not collide.
_NULL_WHEN_EMPTY = {ViolationType: ("name",), Organisation: ("name",)}

for _model, _fields in TRANSLATED.items():
    translator.register(
        _model,
        type(
            f"{_model.__name__}TranslationOptions",
            (TranslationOptions,),
            {
                "fields": _fields,
                "empty_values": dict.fromkeys(_NULL_WHEN_EMPTY.get(_model, ())),
            },
        ),
    )
    # The field's own column follows the original's (cases/multilingual.py): the history keeps
    # each language's column, and the revert of one brings the other with it.
    _options = dict(getattr(_model, "history_options", {}))
    _options["excluded_fields"] = [*_options.get("excluded_fields", ()), *_fields]
    simple_history.register(_model, **_options)
