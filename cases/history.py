"""
Reverting a record to an earlier version, with the parts edited on its page, and restoring a
deleted record. django-simple-history records every save and delete (admin, services,
commands); this module turns those records back into rows.

A revert restores content. It never writes a publication field (cases/disclosure.py): whether
something is public, a defender's protection, public name and address, where an appeal stands
in its workflow. Those change only through the publication services, which check permissions
and four eyes. It writes only what the reverting user may see, and through full_clean() with
every constraint, so a version that no longer fits today's rules is refused, not forced.
"""

import datetime
import difflib
import re

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import disclosure
from .locking import continue_version
from .models import (
    Addressee,
    Alert,
    Alias,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Defender,
    RecommendationUpdate,
    RequestedAction,
)

# The parts edited on a record's admin page (its inlines), by the key that points to it.
PARTS = {
    Case: [(CaseDefender, "case")],
    Defender: [(Alias, "defender"), (CaseDefender, "defender")],
    Alert: [(Citation, "alert")],
    Appeal: [(RequestedAction, "appeal"), (Addressee, "appeal")],
    RecommendationUpdate: [(Citation, "recommendation_update")],
}

# Shown instead of a confidential value to staff who may not see it.
CONFIDENTIAL = disclosure.CONFIDENTIAL_MARK

# Fields a revert leaves as they are now, besides the publication fields of the declaration.
ALWAYS_KEPT = {"id", "version", "created_at", "updated_at"}
KEPT = {
    # Closing a case is a publisher's decision.
    Case: {"status", "closed_on", "closing_reason"},
    # Fixed once published, and the workflow's own record of who did what.
    Appeal: {
        "date",
        "reference_code",
        "code_year",
        "code_number",
        "follow_up_number",
        "author",
        "reviewer",
        "published_by",
        "withdrawal_reason",
    },
}

_TICK = datetime.timedelta(microseconds=1)

# What a restored record's publication flags are: it comes back seen by no one.
_UNPUBLISHED = {"published_at": None, "is_public": False, "file_is_public": False}


class RevertError(Exception):
    """A revert that cannot be done; the message says why, for staff."""


def untracked_fields(model):
    """
    Fields the history does not keep (`excluded_fields`: values other rules derive, such as a
    recommendation's status or a case's last public change): a revert leaves them to those
    rules.
    """
    history = getattr(model, "history", None)
    if history is None:
        return set()
    tracked = {f.name for f in history.model._meta.fields}
    return {f.name for f in model._meta.concrete_fields if f.name not in tracked}


def kept_fields(model):
    return (
        ALWAYS_KEPT
        | KEPT.get(model, set())
        | disclosure.publication_fields(model)
        | untracked_fields(model)
    )


def restored_fields(model):
    kept = kept_fields(model)
    return [f for f in model._meta.concrete_fields if f.name not in kept]


def m2m_fields(model):
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def _m2m_ids(record, field):
    """The ids the m2m `field` held in the historical `record`."""
    target = field.m2m_reverse_field_name()
    return sorted(getattr(row, f"{target}_id") for row in getattr(record, field.name).all())


def _end_of(record):
    """
    The moment up to which `record` describes the object: just before its next record, or now.
    An admin save writes the record first and its inline parts just after, so the parts as of
    this moment are the ones saved with it.
    """
    later = (
        type(record)
        .objects.filter(id=record.id, history_date__gt=record.history_date)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return (later - _TICK) if later else timezone.now()


def parts_as_of(record):
    """{(part model, pk): historical record} of the parts the object had as of `record`."""
    model = record.instance_type
    if record.history_type == "-":
        # The parts were deleted with it, a moment before its own deletion record.
        previous = record.prev_record
        since = previous.history_date if previous else record.history_date
        until = record.history_date
    else:
        since, until = None, _end_of(record)
    parts = {}
    for part_model, key in PARTS.get(model, []):
        latest = (
            part_model.history.filter(**{f"{key}_id": record.id, "history_date__lte": until})
            .latest_of_each()
            .order_by("history_date")
        )
        for part in latest:
            alive = part.history_type != "-" or (since and part.history_date >= since)
            if alive:
                parts[(part_model, part.id)] = part
    return parts


def preview(record, hidden=(), shown_parts=list):
    """
    What reverting to `record` would change: a list of (label, now, after) for the fields, and
    lists of parts that would be restored and removed. The values of `hidden` fields are not
    shown, only that they change; `shown_parts` keeps the parts the reader may see.
    """
    model = record.instance_type
    current = model.objects.filter(pk=record.id).first()
    fields = []
    then = record.instance  # the version as a record of the model, whatever its fields are
    for field in restored_fields(model):
        if field.name == "translations":
            continue  # the record of the translations: restored with them, not shown
        after = field.value_from_object(then)
        now = field.value_from_object(current) if current else None
        if now != after:
            if field.name in hidden:
                fields.append((field.verbose_name, CONFIDENTIAL, CONFIDENTIAL))
            else:
                fields.append((field.verbose_name, _display(field, now), _display(field, after)))
    m2m_source = record.prev_record if record.history_type == "-" else record
    for field in m2m_fields(model):
        after = _m2m_ids(m2m_source, field) if m2m_source else []
        now = sorted(getattr(current, field.name).values_list("pk", flat=True)) if current else []
        if now != after:
            related = field.related_model._default_manager.in_bulk(set(now) | set(after))
            fields.append(
                (
                    field.verbose_name,
                    ", ".join(str(related[i]) for i in now if i in related) or "—",
                    ", ".join(str(related[i]) for i in after if i in related) or "—",
                )
            )
    then = parts_as_of(record)
    restored, removed, current_parts = [], [], set()
    for part_model, key in PARTS.get(model, []):
        for part in shown_parts(part_model.objects.filter(**{f"{key}_id": record.id})):
            current_parts.add((part_model, part.pk))
            old = then.get((part_model, part.pk))
            if old is None:
                removed.append(_describe(part))
            elif any(
                getattr(old, f.attname) != getattr(part, f.attname)
                for f in part_model._meta.concrete_fields
                # The version moves on every save, whatever changed; untracked fields follow.
                if f.name != "version" and f.name not in untracked_fields(part_model)
            ):
                restored.append(_describe(old.instance))
    restored += [
        _describe(old.instance)
        for old in shown_parts(then.values())
        if (old.instance_type, old.id) not in current_parts
    ]
    return {"fields": fields, "restored": restored, "removed": removed, "exists": bool(current)}


def word_diff(now, after):
    """
    The two texts as (text, differs) pieces, word by word, so that a page can mark what
    differs between them: ([("The home was ", False), ("searched", True)], [...]).
    """
    now_words, after_words = re.split(r"(\s+)", str(now)), re.split(r"(\s+)", str(after))
    matcher = difflib.SequenceMatcher(None, now_words, after_words, autojunk=False)
    now_pieces, after_pieces = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        same = op == "equal"
        if i2 > i1:
            now_pieces.append(("".join(now_words[i1:i2]), not same))
        if j2 > j1:
            after_pieces.append(("".join(after_words[j1:j2]), not same))
    return now_pieces, after_pieces


def highlighted(changes):
    """A preview() whose fields carry, beside each value, its pieces marked where it differs."""
    fields = []
    for label, now, after in changes["fields"]:
        if now == CONFIDENTIAL or after == CONFIDENTIAL:
            fields.append((label, [(now, False)], [(after, False)]))
        else:
            fields.append((label, *word_diff(now, after)))
    return {**changes, "fields": fields}


def _describe(part):
    text = f"{part._meta.verbose_name}: {part}"
    passage = getattr(part, "quoted_passage", "")
    return f"{text} — “{passage}”" if passage else text


def _display(field, value):
    if value in (None, ""):
        return "—"
    if field.is_relation:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj else _("(deleted #%(pk)s)") % {"pk": value}
    if field.choices:
        try:
            return dict(field.flatchoices or ()).get(value, value)
        except TypeError:  # several choices at once (other states involved): named by itself
            return str(value)
    return str(value)


def version_time(record):
    """When a version was saved, as the history list shows it: local time, DATETIME_FORMAT."""
    return formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")


@transaction.atomic
def revert_to(record, *, user, hidden=()):
    """
    Bring the object of `record` back to that version: its fields (but those kept, and the
    `hidden` ones the user may not see), its many-to-many links and its parts. A deleted object
    comes back unpublished and keeps its protection. Returns the object.
    """
    model = record.instance_type
    obj = model.objects.select_for_update().filter(pk=record.id).first()
    reason = _("Reverted to the version of %(date)s") % {"date": version_time(record)}
    if obj is None:
        obj = record.instance
        if hasattr(obj, "version"):
            obj.version += 1
        for name, unpublished in _UNPUBLISHED.items():
            if name in disclosure.publication_fields(model):
                setattr(obj, name, unpublished)
        if isinstance(obj, Appeal) and obj.state != Appeal.State.DRAFT:
            raise RevertError(_("Only draft appeals can be deleted, and so restored."))
        reason = _("Restored after deletion")
    else:
        if isinstance(obj, Appeal) and obj.state == Appeal.State.IN_REVIEW:
            raise RevertError(
                _("The appeal is in review: return it to draft before reverting its text.")
            )
        for field in restored_fields(model):
            if field.name not in hidden:
                setattr(obj, field.attname, getattr(record, field.attname))
    obj._history_user = user
    obj._change_reason = reason
    # Every rule and constraint of today: a version that breaks one is refused, not forced.
    obj.full_clean(validate_unique=True, validate_constraints=True)
    obj.save()

    m2m_source = record.prev_record if record.history_type == "-" else record
    for field in m2m_fields(model):
        ids = _m2m_ids(m2m_source, field) if m2m_source else []
        existing = set(
            field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
        )
        getattr(obj, field.name).set(sorted(existing))

    then = parts_as_of(record)
    # Remove first: a restored part may take back a place (a unique pair) a newer one holds.
    for part_model, key in PARTS.get(model, []):
        for part in part_model.objects.filter(**{f"{key}_id": obj.pk}):
            if (part_model, part.pk) not in then:
                part._history_user = user
                part._change_reason = reason
                part.delete()
    for old in then.values():
        part = continue_version(old.instance)
        part._history_user = user
        part._change_reason = reason
        part.save()
    return obj


def deleted_records(model):
    """The deletion records of objects of `model` that have not come back, latest first."""
    existing = model.objects.values("pk")
    return (
        model.history.filter(history_type="-")
        .exclude(id__in=existing)
        .latest_of_each()
        .select_related("history_user")
        .order_by("-history_date")
    )


def part_changes(obj, limit=50):
    """The latest history records of the parts of `obj`, with what changed in each."""
    records = []
    for part_model, key in PARTS.get(type(obj), []):
        records += list(
            part_model.history.filter(**{f"{key}_id": obj.pk})
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
    records.sort(key=lambda r: r.history_date, reverse=True)
    records = records[:limit]
    for record in records:
        record.part_label = record.instance_type._meta.verbose_name
        previous = record.prev_record if record.history_type == "~" else None
        record.changed = (
            [
                record.instance_type._meta.get_field(name).verbose_name
                for name in record.diff_against(previous).changed_fields
            ]
            if previous
            else []
        )
    return records
