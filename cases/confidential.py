"""
What only staff with the *view confidential* permission see, in one place.

The public site never shows these fields at all. In the staff workspace they are hidden from
everyone without `cases.view_confidential`: change forms, lists, filters, search, history and
revert previews.
"""

from .models import Alert, Alias, Appeal, Case, Defender, Source

PERMISSION = "cases.view_confidential"

# Always confidential, on every record of the model.
FIELDS = {
    Case: {"internal_notes", "risk_level"},
    Alert: {"internal_notes"},
    Appeal: {"internal_notes"},
    Defender: {"contact_details", "internal_notes"},
    Source: {"internal_notes"},
}

# Lookups that search or filter through a confidential value: a search that matches a
# protected defender's real name or alias would tell who hides behind the pseudonym.
SEARCH_LOOKUPS = {
    Case: {"defenders__name", "defenders__aliases__name"},
    Defender: {"name", "aliases__name"},
    Alias: {"name"},
}


def may_view(user):
    return user.has_perm(PERMISSION)


def hidden_fields(user, model, obj=None):
    """The names of the fields of `obj` (or of any `model` record) that `user` may not see."""
    if may_view(user):
        return set()
    hidden = set(FIELDS.get(model, ()))
    if model is Defender and (obj is None or obj.identity_protected):
        # The real name of a protected defender; in lists, any defender's (they mix).
        hidden.add("name")
    if model is Source and (obj is None or not obj.file_is_public):
        hidden.add("file")
    return hidden


def without_protected_identities(records):
    """
    `records` (parts or their history records) without the aliases of protected defenders,
    or of defenders no longer there: one query, whatever the number of records.
    """
    records = list(records)

    def is_alias(record):
        return isinstance(record, Alias) or getattr(record, "instance_type", None) is Alias

    defender_ids = {r.defender_id for r in records if is_alias(r)}
    if not defender_ids:
        return records
    shown = set(
        Defender.objects.filter(pk__in=defender_ids, identity_protected=False).values_list(
            "pk", flat=True
        )
    )
    return [r for r in records if not is_alias(r) or r.defender_id in shown]
