"""
Spreadsheets in and out of the workspace (CSV and XLSX), with django-import-export and
tablib underneath: historical records brought in from the spreadsheets every observatory
starts with, and what a role may see taken out.

What a spreadsheet's columns are is derived from the disclosure declaration
(cases/disclosure.py), per user, never listed by hand:

- Publication fields are never imported (an import never publishes anything, never protects
  or unprotects anyone), but for the ones a new record's author sets in the workspace too
  (a defender's public name, address and protection: ADD_FORM_WRITABLE), on new records only.
- Internal fields are not imported (bookkeeping, who did what) but for `external_id`: the
  identifier of the row in the observatory's own spreadsheet, which makes a second import of
  the same file update, here change nothing, instead of adding records twice.
- Confidential fields are imported and exported only for staff who may see them. A column
  the user may not write is refused, with its name, before anything is read.
- An export shows a field public only where a condition holds (a source's title, a
  defender's name) as "(confidential)" on the rows where it does not, as the admin does, to
  staff without the permission; an import of that mark leaves the stored value as it is.

An import is one transaction: every row is checked (`dry_run`) and its errors are listed in
words, and nothing is written unless no row has any. Every record written keeps its history
with the reason "import". Every export and import is logged (TransferLog).
"""

import datetime
import secrets
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _
from import_export import fields, instance_loaders, resources, widgets
from import_export.formats import base_formats
from simple_history.utils import bulk_create_with_history

from . import disclosure, reference_codes
from .models import (
    Alert,
    Alias,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Organisation,
    Recommendation,
    RecommendationUpdate,
    Source,
    TransferLog,
    ViolationType,
)
from .models.cases import alert_sort_date

REASON = "import"
FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}
MARK = str(disclosure.CONFIDENTIAL_MARK)
# The largest spreadsheet the import page takes (tens of thousands of rows).
IMPORT_MAX_BYTES = 20 * 1024 * 1024
# Cells with several values (violation types, aliases, a defender's cases).
SEPARATOR = ";"


# --- References to other records, by external id (or slug / name) --------------------------


class ReferenceWidget(widgets.ForeignKeyWidget):
    """A record named by its external id, or by `fallback` (a case's slug, an organisation's
    name); an unknown one is an error in words."""

    def __init__(self, model, fallback=None, label=""):
        super().__init__(model, field="pk")
        self.fallback = fallback
        self.label = label or model._meta.verbose_name
        self.found = {}  # each resource has its own copy of its widgets: one file's lookups

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        # The rows of one file name the same few records: each is looked up once.
        if value not in self.found:
            self.found[value] = self._find(value)
        return self.found[value]

    def _find(self, value):
        manager = self.model._default_manager
        lookups = []
        if any(f.name == "external_id" for f in self.model._meta.fields):
            lookups.append({"external_id": value})
        if self.fallback:
            lookups.append({self.fallback: value})
        for lookup in lookups:
            found = manager.filter(**lookup).first()
            if found is not None:
                return found
        raise ValueError(
            _("No %(what)s has the external id or name “%(value)s”.")
            % {"what": self.label, "value": value}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, "external_id", "") or str(getattr(value, self.fallback or "pk"))


class SlugsWidget(widgets.ManyToManyWidget):
    """Violation types by slug, separated by semicolons; an unknown one is an error."""

    def __init__(self):
        super().__init__(ViolationType, separator=SEPARATOR, field="slug")

    def clean(self, value, row=None, **kwargs):
        slugs = [s.strip() for s in str(value or "").split(SEPARATOR) if s.strip()]
        found = list(ViolationType.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {v.slug for v in found})
        if unknown:
            raise ValueError(
                _("Unknown violation types: %(slugs)s.") % {"slugs": ", ".join(unknown)}
            )
        return found


class CountriesWidget(widgets.Widget):
    """Several countries in one cell: "BE, FR" or "BE;FR"."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").replace(SEPARATOR, ",")
        return [code.strip().upper() for code in text.split(",") if code.strip()]

    def render(self, value, obj=None, **kwargs):
        return ",".join(getattr(country, "code", str(country)) for country in value or [])


class DateWidget(widgets.DateWidget):
    """A date as staff type it (2020-07-20, or a spreadsheet's own date); an error says how."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError as error:
            raise ValueError(
                _("“%(value)s” is not a date: write it as YYYY-MM-DD (2020-07-20).")
                % {"value": value}
            ) from error


# --- Check constraints read in Python --------------------------------------------------------
# Model.full_clean() asks the database about every check constraint of every row (a query and
# a savepoint each: five for an alert). The conditions are simple (a choice among values, a
# date in a range, one field empty or another set), so an import reads them in Python, with
# SQL's rules for NULL, and the database still enforces them when the rows are written. A
# condition this reader does not know is asked of the database as before.

_COMPARE = {
    "exact": lambda value, other: value == other,
    "gt": lambda value, other: value > other,
    "gte": lambda value, other: value >= other,
    "lt": lambda value, other: value < other,
    "lte": lambda value, other: value <= other,
}


def _value(instance, name):
    field = instance._meta.get_field(name)
    if not field.concrete or field.many_to_many:
        raise LookupError(name)
    return getattr(instance, field.attname)


def _truth(condition, instance):
    """True, False or None (SQL's unknown) of a Q condition on `instance`; LookupError when it
    uses a lookup or an expression this reader does not know."""
    if isinstance(condition, Q):
        results = [_truth(child, instance) for child in condition.children]
        if condition.connector == Q.AND:
            result = False if False in results else (None if None in results else True)
        elif condition.connector == Q.OR:
            result = True if True in results else (None if None in results else False)
        else:
            raise LookupError(condition.connector)
        return (None if result is None else not result) if condition.negated else result
    if not isinstance(condition, tuple):
        raise LookupError(condition)
    path, other = condition
    name, _sep, lookup = path.partition("__")
    lookup = lookup or "exact"
    value = _value(instance, name)
    if isinstance(other, F):
        other = _value(instance, other.name)
    elif hasattr(other, "resolve_expression"):
        raise LookupError(other)
    if lookup == "isnull":
        return (value is None) == bool(other)
    if lookup == "exact" and other is None:
        return value is None
    if value is None or other is None:
        return None
    if lookup == "in":
        return value in other
    if lookup == "range":
        return other[0] <= value <= other[1]
    if lookup not in _COMPARE:
        raise LookupError(lookup)
    return _COMPARE[lookup](value, other)


def holds_in_python(condition, instance):
    """Whether a check constraint's condition holds for `instance` as the database would say
    (unknown passes, as in SQL); NotImplemented when it must be asked of the database."""
    try:
        return _truth(Q(condition), instance) is not False
    except (LookupError, TypeError):
        return NotImplemented


def _references(condition):
    """The field names a Q condition reads."""
    for child in condition.children:
        if isinstance(child, Q):
            yield from _references(child)
        else:
            yield child[0].split("__")[0]
            if isinstance(child[1], F):
                yield child[1].name


class NumberWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError) as error:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value}) from error


# --- What a user may import and export: from the declaration --------------------------------


def _plain_fields(model):
    """The concrete fields that are not relations and that a person types."""
    return [
        f
        for f in model._meta.concrete_fields
        if not f.is_relation
        and not f.auto_created
        and (f.editable or f.name == "external_id")
        and f.name != "version"
    ]


def importable(user, model, name, instance=None):
    """Whether `user` may write field `name` of `model` (on `instance`, an existing record)."""
    kind = disclosure.DECLARATION[model].get(name)
    if name == "external_id":
        return True
    if kind == disclosure.PUBLICATION:
        return instance is None and name in disclosure.ADD_FORM_WRITABLE.get(model, set())
    if kind == disclosure.INTERNAL or kind is None:
        return False
    if kind == disclosure.CONFIDENTIAL:
        return disclosure.may_view(user)
    if isinstance(kind, disclosure.PublicWhen) and instance is not None:
        return name not in disclosure.hidden_fields(user, model, instance)
    return True


@dataclass
class Report:
    """What an import found: the counts, and every row's errors in words."""

    kind: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (row number, sentence)
    written: bool = False

    @property
    def ok(self):
        return not self.errors


class TransferResource(resources.ModelResource):
    """
    A ModelResource whose columns come from the declaration, for one user. Subclasses add
    the references to other records (`references`: column → widget) and `derived` fields
    that the records keep themselves (a recommendation's current status).
    """

    references = {}
    derived = ()
    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "DateField": DateWidget,
        "PositiveSmallIntegerField": NumberWidget,
        "PositiveIntegerField": NumberWidget,
        "IntegerField": NumberWidget,
    }

    def __init__(self, user, **kwargs):
        self.user = user
        super().__init__(**kwargs)

    @classmethod
    def columns(cls):
        model = cls._meta.model
        names = [f.name for f in _plain_fields(model) if f.name not in cls.derived]
        return names + list(cls.references)

    def get_import_order(self):
        return tuple(self.fields)

    def get_export_order(self):
        return tuple(self.fields)

    def for_import(self):
        """Only the columns this user may write."""
        model = self._meta.model
        for name in list(self.fields):
            if name not in self.references and not (
                importable(self.user, model, name)
                or name in disclosure.ADD_FORM_WRITABLE.get(model, set())
            ):
                del self.fields[name]
        return self

    def for_export(self):
        """The same columns: an exported file imports again, as updates of the same records."""
        return self.for_import()

    # Import: fields a row may not change on an existing record are kept as stored.
    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in row and str(row[field.column_name] or "").strip() == MARK:
            return  # a value the exporting user could not see: kept as it is
        name = field.attribute
        model = self._meta.model
        existing = instance if instance.pk is not None else None
        if (
            existing is not None
            and name in disclosure.DECLARATION[model]
            and not importable(self.user, model, name, existing)
        ):
            if disclosure.DECLARATION[model][name] == disclosure.PUBLICATION:
                return  # changed in the workspace, through its publication services
            if str(row.get(field.column_name) or "").strip():
                # Whatever the value: an answer that depended on it would tell what is stored.
                raise ValueError(_("You may not change this field of this record."))
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def before_import_row(self, row, **kwargs):
        # An empty spreadsheet cell (None in XLSX) is empty text, as in CSV.
        for name, value in row.items():
            if value is None and name in self._text_columns():
                row[name] = ""
        # What finds the row's record must be there: a blank one would find any record.
        blank = [
            name for name in self.get_import_id_fields() if not str(row.get(name) or "").strip()
        ]
        if blank:
            raise ValidationError(
                {name: _("Give every row one: it finds the record again.") for name in blank}
            )

    def _text_columns(self):
        model = self._meta.model
        return {
            f.name
            for f in _plain_fields(model)
            if isinstance(f, (models.CharField, models.TextField)) and not f.null
        } | set(self.references)

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = REASON
        instance._history_user = self.user

    # Validation: what Model.full_clean() checks, in its order and with its messages, without
    # a query per check for every row.
    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        # A reference the file named was read by its widget, once a file (ReferenceWidget):
        # it exists, and the database's foreign key still says so when the row is written.
        found = {
            field.attribute
            for field in self.fields.values()
            if isinstance(field.widget, ReferenceWidget)
            and isinstance(getattr(instance, field.attribute, None), models.Model)
        }
        try:
            instance.clean_fields(exclude=exclude | found)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        exclude |= set(errors) - {NON_FIELD_ERRORS}
        if validate_unique:
            try:
                instance.validate_unique(exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            exclude |= set(errors) - {NON_FIELD_ERRORS}
        try:
            self._validate_constraints(instance, exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        if self._finds_by_external_id() and instance.pk is None:
            self._new_external_ids.add(instance.external_id)

    def _finds_by_external_id(self):
        return self._meta.instance_loader_class is instance_loaders.CachedInstanceLoader and tuple(
            self.get_import_id_fields()
        ) == ("external_id",)

    def _validate_constraints(self, instance, exclude):
        """Model.validate_constraints(), its check constraints read in Python where they can
        be, and the uniqueness of the external id known from the file."""
        errors = {}
        for model_class, constraints in instance.get_constraints():
            for constraint in constraints:
                try:
                    self._validate_constraint(model_class, constraint, instance, exclude)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _validate_constraint(self, model_class, constraint, instance, exclude):
        if isinstance(constraint, models.CheckConstraint):
            if set(_references(Q(constraint.condition))) & exclude:
                return  # as Django does: a field with an error of its own is not checked again
            holds = holds_in_python(constraint.condition, instance)
            if holds is not NotImplemented:
                if not holds:
                    raise ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                return
        elif (
            isinstance(constraint, models.UniqueConstraint)
            and tuple(constraint.fields) == ("external_id",)
            and self._finds_by_external_id()
            and "external_id" not in exclude
        ):
            # The file's records were read by their external ids (CachedInstanceLoader): a
            # new row's id is stored nowhere, but an earlier new row of the same file may
            # have it. (The unique index still refuses one written meanwhile by someone else.)
            if instance.pk is None and instance.external_id in self._new_external_ids:
                raise ValidationError(constraint.get_violation_error_message())
            return
        using = router.db_for_write(model_class, instance=instance)
        constraint.validate(model_class, instance, exclude=exclude, using=using)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._new_external_ids = set()

    # Export: what the user may not see on a row is masked, as the admin masks it.
    def export_field(self, field, instance, **kwargs):
        model = self._meta.model
        if field.attribute in disclosure.hidden_fields(self.user, model, instance):
            return MARK
        value = super().export_field(field, instance, **kwargs)
        return value

    def filter_export(self, queryset, **kwargs):
        return queryset

    def get_queryset(self):
        # The records a file names, read at once (CachedInstanceLoader), with the records
        # their references name: comparing a row to its record reads them (the unchanged
        # rows of a file imported again), one query a row otherwise.
        model = self._meta.model
        related = [
            name
            for name in self.references
            if name in {f.name for f in model._meta.concrete_fields if f.is_relation}
        ]
        return super().get_queryset().select_related(*related)


def _resource(
    model_class, import_id="external_id", refs=None, derived=(), extra=None, options=None
):
    """A TransferResource for `model_class` with its columns derived from the declaration."""
    refs = refs or {}
    attrs = {"references": refs, "derived": derived}
    for column, (attribute, widget) in refs.items():
        attrs[column] = fields.Field(attribute=attribute, column_name=column, widget=widget)
    attrs.update(extra or {})
    names = [
        f.name for f in _plain_fields(model_class) if f.name not in derived and f.name != "id"
    ] + list(refs)
    meta = type(
        "Meta",
        (),
        {
            "model": model_class,
            "fields": names,
            "import_id_fields": import_id if isinstance(import_id, tuple) else (import_id,),
            "skip_unchanged": True,
            "report_skipped": True,
            "clean_model_instances": True,
            "use_transactions": True,
            # The records a file names by external id, read in one query.
            **(
                {"instance_loader_class": instance_loaders.CachedInstanceLoader}
                if import_id == "external_id"
                else {}
            ),
            "skip_diff": False,
            # The page lists errors, not each row's changes: no HTML diff of every row.
            "skip_html_diff": True,
            **(options or {}),
        },
    )
    attrs["Meta"] = meta
    return type(f"{model_class.__name__}Resource", (TransferResource,), attrs)


def _case_ref():
    return ReferenceWidget(Case, fallback="slug", label=_("case"))


def _organisation_ref():
    return ReferenceWidget(Organisation, fallback="name", label=_("organisation"))


CaseResource = _resource(
    Case,
    refs={
        "violation_types": ("violation_types", SlugsWidget()),
    },
    extra={
        "other_states": fields.Field(
            attribute="other_states", column_name="other_states", widget=CountriesWidget()
        )
    },
)


class DefenderResource(
    _resource(
        Defender,
        refs={
            "cases": (None, widgets.Widget()),
            "aliases": (None, widgets.Widget()),
        },
    )
):
    """A defender, the cases they are the subject of, and their other names ("; ")."""

    def _listed(self, row, column):
        return [v.strip() for v in str(row.get(column) or "").split(SEPARATOR) if v.strip()]

    def after_save_instance(self, instance, row, **kwargs):
        problems = []
        widget = _case_ref()
        for ref in self._listed(row, "cases"):
            try:
                case = widget.clean(ref)
            except ValueError as error:
                problems.append(str(error))
                continue
            if not CaseDefender.objects.filter(case=case, defender=instance).exists():
                link = CaseDefender(case=case, defender=instance)
                link._change_reason = REASON
                link._history_user = self.user
                link.save()
        aliases = [a for a in self._listed(row, "aliases") if a != MARK]
        if aliases and not importable(self.user, Alias, "name", _AliasOf(instance)):
            problems.append(_("You may not add other names to a protected defender."))
        else:
            known = set(instance.aliases.values_list("name", flat=True))
            for name in aliases:
                if name in known:
                    continue
                alias = Alias(defender=instance, name=name, kind=Alias.Kind.SPELLING)
                alias._change_reason = REASON
                alias._history_user = self.user
                alias.full_clean()
                alias.save()
        if problems:
            raise ValidationError({"cases": problems})

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        # The defender is as stored: the row still adds any case link or alias not there yet.
        cases = set(instance.case_links.values_list("case__external_id", "case__slug"))
        known = {ref for pair in cases for ref in pair if ref}
        aliases = set(instance.aliases.values_list("name", flat=True))
        listed = {a for a in self._listed(row, "aliases") if a != MARK}
        return set(self._listed(row, "cases")) <= known and listed <= aliases

    def dehydrate_cases(self, defender):
        return f"{SEPARATOR} ".join(
            link.case.external_id or link.case.slug
            for link in defender.case_links.select_related("case").order_by("case_id")
        )

    def dehydrate_aliases(self, defender):
        if "name" in disclosure.hidden_fields(self.user, Defender, defender):
            return MARK if defender.aliases.exists() else ""
        return f"{SEPARATOR} ".join(defender.aliases.order_by("id").values_list("name", flat=True))


class _AliasOf:
    """An alias not yet made, of `defender`: what the declaration's condition reads."""

    def __init__(self, defender):
        self.defender = defender
        self.defender_id = defender.pk


class AlertResource(
    _resource(
        Alert,
        refs={"case": ("case", _case_ref())},
        derived=("sort_date",),
        options={"use_bulk": True, "batch_size": 1000},
    )
):
    """
    Alerts, the rows of the largest files (a whole timeline at once). New alerts are written
    in batches: one INSERT for a thousand rows, one for their history (the reason "import"
    and the user, as for a save), where a save a row took some ten queries. An update is
    saved one by one as before (its signals, its version, the history of its defenders and
    authorities), in a savepoint of its own as import-export gives each row.

    A batch sends no save signals, so what they do for a new alert is done here: it sorts
    where its date falls (alert_sort_date, before the insert), and its case's last public
    change follows its alerts (refresh_last_public_change(), once a batch). The others have
    nothing to do for a new alert of an import: it is not published (an import never
    publishes, see _column_problems), so no page shows it and the page cache is not stale,
    and it has no citation yet, so no source's `cited_publicly` moves.
    """

    def save_instance(self, instance, is_create, row, **kwargs):
        if not is_create or instance.published_at is not None:
            self.before_save_instance(instance, row, **kwargs)
            with transaction.atomic():
                self.do_instance_save(instance, is_create)
            self.after_save_instance(instance, row, **kwargs)
            return
        instance._import_row_number = kwargs["row_number"]
        super().save_instance(instance, is_create, row, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        alerts, self.create_instances = self.create_instances, []
        if not alerts or (dry_run and not using_transactions):
            return  # a dry run that could not be rolled back writes nothing, as import-export
        for alert in alerts:
            alert_sort_date(Alert, alert)
        try:
            with transaction.atomic():
                bulk_create_with_history(
                    alerts, Alert, default_user=self.user, default_change_reason=REASON
                )
        except IntegrityError as error:
            # Someone wrote meanwhile what the checks did not see: the rows it refused.
            for number, message in _refused_rows(alerts, error):
                result.append_invalid_row(number, {}, ValidationError(message))
            return
        Case.objects.filter(pk__in={a.case_id for a in alerts}).refresh_last_public_change()


def _refused_rows(instances, error):
    """(row number, words) of each instance the database refuses on its own, and why: the
    violation message of the constraint it names; one savepoint a row, after a refusal only."""
    model = type(instances[0])
    refused = []
    for instance in instances:
        try:
            with transaction.atomic():
                model._default_manager.bulk_create([instance])
                raise _Probe
        except _Probe:
            instance.pk = None
            instance._state.adding = True
        except IntegrityError as own:
            refused.append((instance._import_row_number, _constraint_words(model, own)))
    return refused or [(1, _error_words(error))]


def _constraint_words(model, error):
    """The violation message of the constraint a database error names: PostgreSQL names the
    constraint, SQLite the columns of a unique one."""
    text = str(error)
    table = model._meta.db_table
    for constraint in model._meta.constraints:
        columns = ", ".join(
            f"{table}.{model._meta.get_field(name).column}"
            for name in getattr(constraint, "fields", ())
        )
        named = f'"{constraint.name}"' in text or text.endswith(f": {constraint.name}")
        if named or (columns and text.endswith(columns)):
            return constraint.get_violation_error_message()
    return _error_words(error)


class _Probe(Exception):
    """Rolls back a row written only to learn whether the database takes it."""


class CitationResource(
    _resource(
        Citation,
        import_id=("alert", "position"),
        refs={
            "alert": ("alert", ReferenceWidget(Alert, label=_("alert"))),
            "source_url": (None, widgets.Widget()),
            "source_title": (None, widgets.Widget()),
            "source_kind": (None, widgets.Widget()),
        },
    )
):
    """A citation of an alert (by the alert's external id), and the source it cites: found
    by its address (or title), or added, private, when there is none yet."""

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not str(row.get("alert") or "").strip():
            raise ValidationError({"alert": _("Give the external id of the alert it supports.")})

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.source = self._source(row)
        except ValueError as error:
            errors["source"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def _source(self, row):
        url = str(row.get("source_url") or "").strip()
        title = str(row.get("source_title") or "").strip()
        kind = str(row.get("source_kind") or "").strip() or Source.Kind.OTHER
        if url == MARK or title == MARK:
            raise ValueError(_("The source of this row is not one you may see."))
        if not url and not title:
            raise ValueError(_("Give the source's address or title."))
        found = (
            Source.objects.filter(url=url).first()
            if url
            else Source.objects.filter(title=title, url="").first()
        )
        if found is not None:
            return found
        if kind not in Source.Kind.values:
            raise ValueError(
                _("“%(kind)s” is not a kind of source: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(Source.Kind.values)}
            )
        source = Source(url=url, title=title or url, kind=kind)
        source._change_reason = REASON
        source._history_user = self.user
        source.full_clean()
        source.save()
        return source

    def dehydrate_source_url(self, citation):
        hidden = disclosure.hidden_fields(self.user, Source, citation.source)
        return MARK if "url" in hidden else citation.source.url

    def dehydrate_source_title(self, citation):
        hidden = disclosure.hidden_fields(self.user, Source, citation.source)
        return MARK if "title" in hidden else citation.source.title

    def dehydrate_source_kind(self, citation):
        return citation.source.kind


class AppealResource(
    _resource(
        Appeal,
        refs={
            "case": ("case", _case_ref()),
            "issuer": ("issuer", _organisation_ref()),
            "parent": ("parent", ReferenceWidget(Appeal, label=_("appeal"))),
        },
    )
):
    """Appeals, drafts until a publisher publishes them, with the reference code as printed."""

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        code = str(row.get("reference_code") or "").strip()
        if code and "reference_code" not in errors and "date" not in errors:
            problems = reference_codes.printed_code_problems(
                instance, code, date=instance.date, parent=instance.parent
            )
            if problems:
                errors.update({k: [v] for k, v in problems.items()})
            else:
                reference_codes.accept_printed(instance, code)
        if errors:
            raise ValidationError(errors)


RecommendationResource = _resource(
    Recommendation,
    refs={
        "case": ("case", _case_ref()),
        "issuer": ("issuer", _organisation_ref()),
        "appeal": ("appeal", ReferenceWidget(Appeal, label=_("appeal"))),
    },
    # The latest update's: the updates are imported as records of their own.
    derived=("current_status", "last_update_on"),
)


RecommendationUpdateResource = _resource(
    RecommendationUpdate,
    import_id=("recommendation", "date", "status"),
    refs={
        "recommendation": (
            "recommendation",
            ReferenceWidget(Recommendation, label=_("recommendation")),
        ),
    },
)


# In the order a whole history is imported: what a row names must be there already.
KINDS = {
    "cases": CaseResource,
    "defenders": DefenderResource,
    "alerts": AlertResource,
    "citations": CitationResource,
    "appeals": AppealResource,
    "recommendations": RecommendationResource,
    "recommendation-updates": RecommendationUpdateResource,
}


def model_of(kind):
    return KINDS[kind]._meta.model


def may_import(user, kind):
    model = model_of(kind)
    return user.has_perm(f"cases.add_{model._meta.model_name}") and user.has_perm(
        f"cases.change_{model._meta.model_name}"
    )


def may_export(user, kind):
    model = model_of(kind)
    return user.has_perm(f"cases.view_{model._meta.model_name}")


# --- Templates, import and export ---------------------------------------------------------


def _write(dataset, file_format):
    data = FORMATS[file_format]().export_data(dataset)
    return data if isinstance(data, bytes) else data.encode("utf-8")


def template(user, kind, file_format):
    """An empty spreadsheet with the columns this user may import."""
    resource = KINDS[kind](user).for_import()
    return _write(tablib.Dataset(headers=list(resource.fields)), file_format)


def read(file_format, content):
    """The rows of an uploaded file; ValueError in words when it is not a readable file."""
    format_class = FORMATS[file_format]()
    try:
        if format_class.is_binary():
            return format_class.create_dataset(content)
        return format_class.create_dataset(content.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ValueError(_("The file is not UTF-8 text: save it as CSV (UTF-8).")) from error
    except Exception as error:  # tablib and openpyxl raise many kinds on a broken file
        raise ValueError(
            _("The file could not be read as %(format)s.") % {"format": file_format.upper()}
        ) from error


def _column_problems(resource, dataset):
    model = resource._meta.model
    known = set(resource.fields)
    problems = []
    for header in dataset.headers or []:
        if header in known:
            continue
        kind = disclosure.DECLARATION[model].get(header)
        if kind == disclosure.PUBLICATION:
            problems.append(
                _("Column “%(c)s”: an import never publishes; publish in the workspace.")
                % {"c": header}
            )
        elif kind == disclosure.CONFIDENTIAL:
            problems.append(
                _("Column “%(c)s” is confidential: you may not import it.") % {"c": header}
            )
        else:
            problems.append(
                _("Column “%(c)s” is not a column of this spreadsheet (see the template).")
                % {"c": header}
            )
    for required in resource.get_import_id_fields():
        if required not in (dataset.headers or []):
            problems.append(_("Column “%(c)s” is missing.") % {"c": required})
    return problems


def _messages(error):
    if hasattr(error, "message_dict"):
        for name, messages in error.message_dict.items():
            for message in messages:
                yield message if name == "__all__" else f"{name}: {message}"
    else:
        yield from error.messages


def run_import(user, kind, dataset, *, dry_run):
    """
    Import `dataset` (a tablib Dataset) as records of `kind`: all rows or none. With
    `dry_run`, nothing is kept, whatever the rows. The report lists every error of every row
    (numbered as in the spreadsheet, its first data row being row 2).
    """
    resource = KINDS[kind](user).for_import()
    report = Report(kind=kind, rows=len(dataset))
    problems = _column_problems(resource, dataset)
    if problems:
        report.errors = [(1, p) for p in problems]
        return report
    with transaction.atomic():
        # One pass, in this transaction: rolled back whole on a dry run or on any error.
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        for invalid in result.invalid_rows:
            for message in _messages(invalid.error):
                report.errors.append((invalid.number + 1, message))
        for number, errors in result.row_errors():
            for error in errors:
                report.errors.append((number + 1, _error_words(error.error)))
        report.errors += [(1, _error_words(e.error)) for e in result.base_errors]
        report.errors.sort(key=lambda e: e[0])
        totals = result.totals
        report.new, report.updated = totals.get("new", 0), totals.get("update", 0)
        report.unchanged = totals.get("skip", 0)
        if dry_run or not report.ok:
            transaction.set_rollback(True)
            return report
        TransferLog.objects.create(
            direction=TransferLog.Direction.IMPORT,
            what=kind,
            file_format="",
            rows=len(dataset),
            user=user,
            with_confidential=disclosure.may_view(user),
        )
        report.written = True
    return report


def _error_words(error):
    """An exception a row raised, in words: a database refusal as the workspace says it."""
    if isinstance(error, ValidationError):
        return "; ".join(_messages(error))
    if isinstance(error, ObjectDoesNotExist):
        return _("It names a record that does not exist.")
    if isinstance(error, (ValueError, TypeError)):
        return str(error)
    return _("This row could not be saved (%(kind)s).") % {"kind": type(error).__name__}


def export(user, kind, file_format, queryset=None):
    """The records of `kind` as this user may see them, as bytes; the export is logged."""
    resource = KINDS[kind](user).for_export()
    model = model_of(kind)
    if queryset is None:
        queryset = model._default_manager.order_by("pk")
    give_external_ids(queryset)
    if kind == "citations":
        queryset = queryset.filter(alert__isnull=False)
        give_external_ids(Alert.objects.filter(citations__in=queryset))
    if kind in ("alerts", "appeals", "recommendations"):
        give_external_ids(Case.objects.filter(**{f"{model._meta.model_name}s__in": queryset}))
    if kind == "defenders":
        give_external_ids(Case.objects.filter(defender_links__defender__in=queryset))
    if kind == "recommendation-updates":
        give_external_ids(Recommendation.objects.filter(updates__in=queryset))
    if kind == "citations":
        queryset = queryset.select_related("source", "alert")
        if not disclosure.may_view(user):
            queryset = disclosure.shown_parts(user, queryset)  # no citation of a private source
    if kind == "defenders":
        queryset = queryset.prefetch_related("aliases")
    dataset = resource.export(queryset=queryset)
    content = _write(dataset, file_format)
    TransferLog.objects.create(
        direction=TransferLog.Direction.EXPORT,
        what=kind,
        file_format=file_format,
        rows=len(dataset),
        user=user,
        with_confidential=disclosure.may_view(user),
    )
    return content


def give_external_ids(queryset):
    """
    Records listed in an export without an external id get one ("case-12"), so that the file
    imports again as updates of the same records, and what it names (a case, an alert) is
    found by it. Bookkeeping only (INTERNAL): no history, nothing public changes.
    """
    model = queryset.model
    if not any(f.name == "external_id" for f in model._meta.fields):
        return
    prefix = model._meta.model_name
    missing = model._default_manager.filter(
        pk__in=queryset.filter(external_id="").values("pk"), external_id=""
    )
    try:
        with transaction.atomic():
            missing.update(external_id=Concat(Value(f"{prefix}-"), Cast("pk", models.CharField())))
    except IntegrityError:
        # An imported record already has such an id: one by one, a suffix where needed.
        for pk in list(missing.values_list("pk", flat=True)):
            taken = model._default_manager.filter(external_id=f"{prefix}-{pk}").exists()
            suffix = f"-{secrets.token_hex(3)}" if taken else ""
            missing.filter(pk=pk).update(external_id=f"{prefix}-{pk}{suffix}")


def filename(kind, file_format, *, empty=False):
    stamp = datetime.date.today().isoformat()
    return f"{kind}-{'template' if empty else stamp}.{file_format}"
