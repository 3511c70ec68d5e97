"""
Optimistic locking for every record staff edit. A form carries the version it was opened at;
saving checks it against the row, read under a lock, so the second of two concurrent saves is
refused instead of silently overwriting the first.

The refusal is not a dead end. It lists, field by field, what the other person changed (the
history record of the version the form was opened at, against the row now) beside what this
person typed, and asks which to keep. The form is posted again with that choice and the version
it was made against; a further change in between is refused again, with the new values.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.models import InlineForeignKeyField
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import CountryField

THEIRS, MINE = "theirs", "mine"
# The names, with the form's prefix, of what the refusal page adds to the form.
CONFLICT_VERSION = "conflict_version"
KEEP = "keep__"


def last_change(obj):
    """The latest history record of `obj`, with its user, or None."""
    return obj.history.select_related("history_user").order_by("-history_date", "-pk").first()


def _who(record):
    user = record.history_user
    return (user.get_full_name() or user.get_username()) if user else _("a command or import")


def stale_edit_message(obj, record=None):
    record = record or last_change(obj)
    name = obj._meta.verbose_name
    if record is None:
        return _(
            "This %(name)s was changed by someone else after you opened it. Nothing was saved "
            "and nothing was overwritten: your edits are still in the form below. For each "
            "field, choose whether to keep their version or yours, then save again."
        ) % {"name": name}
    when = formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    return _(
        "%(who)s changed this %(name)s on %(when)s, after you opened it. Nothing was saved and "
        "nothing was overwritten: your edits are still in the form below. For each field they "
        "changed, choose whether to keep their version or yours, then save again."
    ) % {"who": _who(record), "name": name, "when": when}


def continue_version(obj):
    """
    Before saving `obj`, rebuilt from its history over the row it once was (a revert): its
    version moves on from the row's, never back to an old number that a form opened long ago
    could match again.
    """
    if obj.pk is None or not hasattr(obj, "version"):
        return obj
    now = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    if now is not None:
        obj.version = now + 1
    return obj


# --- Comparing values -------------------------------------------------------------------------

_UNKNOWN = object()


def _comparable(field, value):
    """`value` of the model field `field`, from a form or a row, in one form for comparing."""
    if field.many_to_many:
        return frozenset(getattr(v, "pk", v) for v in (value or ()))
    if field.is_relation:
        return getattr(value, "pk", value)
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or ""
    return field.get_prep_value(field.to_python(value))


def _stored(field, obj):
    """The value of `field` in the row `obj`, for comparing."""
    if field.many_to_many:
        return frozenset(getattr(obj, field.name).values_list("pk", flat=True))
    return _comparable(field, field.value_from_object(obj))


def _recorded(field, record):
    """The value of `field` in the history record `record`, or _UNKNOWN if it keeps none."""
    if field.many_to_many:
        through = getattr(record, field.name, None)
        if through is None:
            return _UNKNOWN
        target = field.m2m_reverse_field_name()
        return frozenset(getattr(row, f"{target}_id") for row in through.all())
    if not hasattr(record, field.attname):
        return _UNKNOWN
    return _comparable(field, getattr(record, field.attname))


def _display(field, value):
    """A value for staff to read: names, not keys; labels, not codes."""
    if value in (None, "") or value == frozenset():
        return "—"
    if field.is_relation:
        ids = value if field.many_to_many else [value]
        found = field.related_model._default_manager.in_bulk(list(ids))
        names = [
            str(found[pk]) if pk in found else _("(deleted #%(pk)s)") % {"pk": pk} for pk in ids
        ]
        return ", ".join(sorted(names))
    if isinstance(field, CountryField):
        codes = value.split(",") if field.multiple else [value]
        return ", ".join(str(countries.name(code) or code) for code in codes)
    if field.choices:
        labels = dict(field.flatchoices or [])
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


class ConflictRow:
    """One field the other person changed: their value (now stored), yours, and the choice."""

    def __init__(self, form, name, label, theirs, yours, default):
        self.name = name
        self.label = label
        self.theirs = theirs
        self.yours = yours
        self.input_name = form.add_prefix(KEEP + name)
        self.choice = form.data.get(self.input_name) if form.is_bound else None
        if self.choice not in (THEIRS, MINE):
            self.choice = default


class EditConflict:
    """
    What changed in a record between the version a form was opened at and now, field by field,
    for the fields of the form (never others: a field hidden from this person is not shown).
    """

    def __init__(self, form, opened_version):
        instance = form.instance
        self.form = form
        self.current_version = instance.version
        self.version_input = form.add_prefix(CONFLICT_VERSION)
        self.title = (
            _("This %(name)s") % {"name": instance._meta.verbose_name}
            if not form.prefix
            else f"{instance._meta.verbose_name}: {instance}"
        )
        history = getattr(instance, "history", None)
        records = history.select_related("history_user") if history is not None else None
        opened = None
        if records is not None and opened_version is not None:
            opened = records.filter(version=opened_version).order_by("-history_date", "-pk").first()
        later = (
            records.filter(history_date__gt=opened.history_date) if opened is not None else records
        )
        later = list(later.order_by("-history_date", "-pk")) if later is not None else []
        self.latest = later[0] if later else None
        self.changed_by = sorted({_who(record) for record in later})
        self.message = stale_edit_message(instance, self.latest)
        self.rows = []
        for name in form.fields:
            if name not in form.cleaned_data:
                continue  # not a model field, or its input is invalid: nothing to compare
            try:
                field = instance._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.primary_key or isinstance(form.fields[name], InlineForeignKeyField):
                continue  # which row, and the record it belongs to: not an edit
            now = _stored(field, instance)
            posted = form.cleaned_data[name]
            if isinstance(field, models.FileField) and posted is None:
                continue  # no new file: the stored one stays, whoever stored it
            yours = _comparable(field, posted)
            if yours == now:
                continue  # the same either way
            then = _recorded(field, opened) if opened is not None else _UNKNOWN
            if then is not _UNKNOWN and then == now:
                continue  # they did not change it: yours is saved
            you_changed = then is _UNKNOWN or yours != then
            self.rows.append(
                ConflictRow(
                    form,
                    name,
                    form.fields[name].label or field.verbose_name,
                    _display(field, now),
                    _display(field, yours),
                    MINE if you_changed else THEIRS,
                )
            )

    def answered(self):
        """The person chose field by field against the version that is stored now."""
        posted = self.form.data.get(self.version_input) if self.form.is_bound else None
        return posted is not None and str(posted) == str(self.current_version)

    def kept_theirs(self):
        return [row.name for row in self.rows if row.choice == THEIRS]


class VersionedForm(forms.ModelForm):
    """A model form that refuses to save over a version it did not start from, and says why."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edit_conflict = None
        if self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        opened = cleaned.get("edit_version")
        # `self.instance` was read under a row lock (VersionedAdmin.get_object, VersionedInline
        # in cases/admin/conflicts.py), so a concurrent save either finished before it (and
        # the versions differ) or waits.
        if opened == self.instance.version:
            return cleaned
        conflict = EditConflict(self, opened)
        if conflict.answered():
            # Saved as chosen on the refusal page: a field whose theirs is kept is left out of
            # the save, so the row keeps it.
            for name in conflict.kept_theirs():
                cleaned.pop(name, None)
            return cleaned
        if not conflict.rows:
            # Nothing they changed is in this form with another value (they changed fields
            # this person cannot see, or made the same change): saving loses nothing of theirs.
            return cleaned
        self.edit_conflict = conflict
        raise ValidationError(
            _(
                "Someone else saved this %(name)s after you opened it, so nothing was saved: "
                "see what they changed at the top of the page."
            )
            % {"name": self.instance._meta.verbose_name},
            code="stale",
        )
