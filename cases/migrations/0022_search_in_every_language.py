"""
Full-text search in every language (cases/search.py): each searchable table's `public_search`
is generated again, from the columns of each language (cases/translation.py), each in its own
stemming: English, French, Spanish and Russian, accents folded. A record is found by any of
its translations. Public fields only, as in 0006. Nothing on SQLite.
"""

from django.db import migrations

LANGUAGES = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian"}

FUNCTION = r"""
-- Titles (weight A) and bodies (weight D) in English, French, Spanish and Russian, each in its
-- own language's stemming.
CREATE OR REPLACE FUNCTION observatory_translated_vector(
    title_en text, title_fr text, title_es text, title_ru text,
    body_en text, body_fr text, body_es text, body_ru text
) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT
        setweight(to_tsvector('english'::regconfig, @here@.observatory_unaccent(coalesce(title_en, ''))), 'A')
        || setweight(to_tsvector('french'::regconfig, @here@.observatory_unaccent(coalesce(title_fr, ''))), 'A')
        || setweight(to_tsvector('spanish'::regconfig, @here@.observatory_unaccent(coalesce(title_es, ''))), 'A')
        || setweight(to_tsvector('russian'::regconfig, @here@.observatory_unaccent(coalesce(title_ru, ''))), 'A')
        || setweight(to_tsvector('english'::regconfig, @here@.observatory_unaccent(coalesce(body_en, ''))), 'D')
        || setweight(to_tsvector('french'::regconfig, @here@.observatory_unaccent(coalesce(body_fr, ''))), 'D')
        || setweight(to_tsvector('spanish'::regconfig, @here@.observatory_unaccent(coalesce(body_es, ''))), 'D')
        || setweight(to_tsvector('russian'::regconfig, @here@.observatory_unaccent(coalesce(body_ru, ''))), 'D')
    $$;
"""


def _in(template):
    """`template` ("title_{l}") for each language, in the function's order."""
    return [template.format(l=code) for code in LANGUAGES]


# Public fields only, as in 0006: each language's title, then each language's body.
COLUMNS = {
    "cases_case": _in("title_{l}") + _in("summary_{l}"),
    "cases_alert": _in("title_{l}")
    + _in(
        "coalesce(description_{l}, '') || ' ' || place || ' ' || coalesce(dispute_note_{l}, '')"
    ),
    "cases_appeal": _in("coalesce(title_{l}, '') || ' ' || reference_code") + _in("body_{l}"),
    "cases_recommendation": _in("text_{l}") + ["''"] * len(LANGUAGES),
}

# What 0006 generated, to go back to.
PREVIOUS = {
    "cases_case": "title, summary",
    "cases_alert": "title, description || ' ' || place || ' ' || dispute_note",
    "cases_appeal": "title || ' ' || reference_code, body",
    "cases_recommendation": "text, ''",
}


def _regenerate(schema_editor, columns, function):
    for table, fields in columns.items():
        name = table.removeprefix("cases_")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS public_search")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN public_search tsvector "
            f"GENERATED ALWAYS AS ({function}({fields})) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {name}_public_search_idx ON {table} USING gin (public_search)"
        )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        here = cursor.fetchone()[0]
    schema_editor.execute(FUNCTION.replace("@here@", schema_editor.connection.ops.quote_name(here)))
    _regenerate(
        schema_editor,
        {table: ", ".join(fields) for table, fields in COLUMNS.items()},
        "observatory_translated_vector",
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _regenerate(schema_editor, PREVIOUS, "observatory_search_vector")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS observatory_translated_vector("
        "text, text, text, text, text, text, text, text)"
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_translations")]

    operations = [migrations.RunPython(forwards, backwards)]
