"""
Full-text and fuzzy search on PostgreSQL (cases/search.py); nothing on SQLite.

Each searchable table gets a `public_search` tsvector column GENERATED from its public fields
only, so it is right whatever writes the row: save(), queryset.update(), bulk_create() or
loaddata. English and French stemming, accents folded. GIN indexes serve the full-text match;
trigram (pg_trgm) indexes serve the fuzzy match of names, aliases, titles and reference codes.

unaccent() is only STABLE (its dictionary could change), and a generated column or an index
needs IMMUTABLE functions: observatory_unaccent() is the usual wrapper that names the
dictionary explicitly and promises immutability.

Function bodies name the schema of every function they call: pg_restore runs with an empty
search_path, and a generated column whose function calls an unqualified name would not restore.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION observatory_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT @unaccent@.unaccent('@unaccent@.unaccent'::regdictionary, $1) $$;

-- A title or name (weight A) and a body (weight D), stemmed in English and in French.
CREATE OR REPLACE FUNCTION observatory_search_vector(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT
        setweight(to_tsvector('english'::regconfig, @here@.observatory_unaccent(coalesce(title, ''))), 'A')
        || setweight(to_tsvector('french'::regconfig, @here@.observatory_unaccent(coalesce(title, ''))), 'A')
        || setweight(to_tsvector('english'::regconfig, @here@.observatory_unaccent(coalesce(body, ''))), 'D')
        || setweight(to_tsvector('french'::regconfig, @here@.observatory_unaccent(coalesce(body, ''))), 'D')
    $$;

-- Reference codes compared without spaces or case: "kaz 001/0720/obs 086".
CREATE OR REPLACE FUNCTION observatory_code_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT upper(regexp_replace($1, '\s+', '', 'g')) $$;
"""

# Public fields only: internal notes, risk levels, contact details never enter a vector, and
# a protected defender's real name stays out of theirs.
COLUMNS = {
    "cases_case": "title, summary",
    "cases_alert": "title, description || ' ' || place || ' ' || dispute_note",
    "cases_appeal": "title || ' ' || reference_code, body",
    "cases_recommendation": "text, ''",
    "cases_defender": (
        "public_name || ' ' || CASE WHEN identity_protected THEN '' ELSE name END, "
        "protection_status || ' ' || public_profile"
    ),
}

# Trigram indexes: the fuzzy match of misspelled names and titles ("Jardimalie", "Koes Geens").
TRIGRAM_INDEXES = {
    "case_title_trgm_idx": ("cases_case", "observatory_unaccent(title)"),
    "alert_title_trgm_idx": ("cases_alert", "observatory_unaccent(title)"),
    "appeal_title_trgm_idx": ("cases_appeal", "observatory_unaccent(title)"),
    "appeal_code_trgm_idx": ("cases_appeal", "observatory_code_key(reference_code)"),
    "defender_public_name_trgm_idx": ("cases_defender", "observatory_unaccent(public_name)"),
    "defender_name_trgm_idx": ("cases_defender", "observatory_unaccent(name)"),
    "alias_name_trgm_idx": ("cases_alias", "observatory_unaccent(name)"),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        here = cursor.fetchone()[0]
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'unaccent'"
        )
        unaccent = cursor.fetchone()[0]
    quote = schema_editor.connection.ops.quote_name
    schema_editor.execute(
        FUNCTIONS.replace("@here@", quote(here)).replace("@unaccent@", quote(unaccent))
    )
    for table, fields in COLUMNS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN public_search tsvector "
            f"GENERATED ALWAYS AS (observatory_search_vector({fields})) STORED"
        )
        name = table.removeprefix("cases_")
        schema_editor.execute(
            f"CREATE INDEX {name}_public_search_idx ON {table} USING gin (public_search)"
        )
    for index, (table, expression) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {index} ON {table} USING gin ({expression} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
    for table in COLUMNS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS public_search")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS observatory_search_vector(text, text);"
        "DROP FUNCTION IF EXISTS observatory_code_key(text);"
        "DROP FUNCTION IF EXISTS observatory_unaccent(text);"
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_source_file_checks")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
