"""
What the database refused, in words for staff. The forms check every rule first; a save that
still breaks a constraint lost a race (someone else saved the same code, number or pair at the
same moment). Its message comes from the constraint's own `violation_error_message`, never its
internal name.
"""

import re
from functools import cache

from django.apps import apps
from django.db.models import UniqueConstraint
from django.utils.translation import gettext as _

_SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")
_SQLITE_NAMED = re.compile(r"(?:CHECK|UNIQUE) constraint failed: (?:index )?'?(?P<name>\w+)'?$")


@cache
def _messages():
    """{constraint name: message} and {(table, columns): message} for every model of cases."""
    by_name, by_columns = {}, {}
    for model in apps.get_app_config("cases").get_models():
        table = model._meta.db_table
        for constraint in model._meta.constraints:
            message = constraint.get_violation_error_message()
            by_name[constraint.name] = message
            if isinstance(constraint, UniqueConstraint) and constraint.fields:
                columns = tuple(model._meta.get_field(f).column for f in constraint.fields)
                by_columns[(table, columns)] = message
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key:
                message = _("Another %(model)s already has this %(field)s.") % {
                    "model": model._meta.verbose_name,
                    "field": field.verbose_name,
                }
                # PostgreSQL names the constraint of a unique column <table>_<column>_key.
                by_name[f"{table}_{field.column}_key"] = message
                by_columns[(table, (field.column,))] = message
    return by_name, by_columns


def describe(error):
    """A sentence for staff about an IntegrityError (or DataError) from a save."""
    by_name, by_columns = _messages()
    diagnostic = getattr(error.__cause__, "diag", None)
    name = getattr(diagnostic, "constraint_name", None)
    if name in by_name:
        return str(by_name[name])
    text = str(error)
    named = _SQLITE_NAMED.search(text)
    if named and named.group("name") in by_name:
        return str(by_name[named.group("name")])
    listed = _SQLITE_COLUMNS.search(text)
    if listed:
        pairs = [column.split(".", 1) for column in listed.group("columns").split(", ")]
        tables = {table for table, _column in pairs}
        if len(tables) == 1:
            key = (tables.pop(), tuple(column for _table, column in pairs))
            if key in by_columns:
                return str(by_columns[key])
    if "too long for tsvector" in text:
        return _("A text is too long to be indexed for search: shorten it.")
    return _("It contradicts another record or a rule of the database.")
