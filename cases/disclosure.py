"""
Disclosure by declaration: for every field of every model of the project, who may see it and
who may change what the public sees. This is the one list; the staff workspace (forms, lists,
filters, search, autocomplete, history, revert), the public site's search, the leak test and
any later export or API read it, and a system check refuses to start while a field of a
project model has no class here.

The classes:

- PUBLIC: may appear on public pages (of published records) and is seen by all staff.
- PublicWhen(condition): public on the records where the condition holds (a source that is
  public, a defender whose identity is not protected), confidential on the others. Where records
  are listed, filtered or searched together, staff without the permission see it only on the
  records where it holds, and may not filter or order by it.
- CONFIDENTIAL: only staff with the view-confidential permission (`cases.view_confidential`);
  never public. Residence, contact details, notes and risk levels are confidential.
- PUBLICATION: changes what the public sees (published, public, file public, protection, the
  public name and address of a defender, the appeal workflow). Written only by the publication
  services of cases/services.py, behind a permission; a revert never writes it.
- INTERNAL: staff only, never public (bookkeeping, who did what, the internal numbering).

A new field is refused at start-up until it is declared here: declaring it CONFIDENTIAL is
the one line that makes every part of the system keep it from those who may not see it.
"""

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    ActionTally,
    Addressee,
    Alert,
    Alias,
    Appeal,
    Authority,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Organisation,
    Page,
    PageGeneration,
    PublicationRequest,
    Recommendation,
    RecommendationUpdate,
    RequestedAction,
    Source,
    TransferLog,
    ViolationType,
)

PERMISSION = "cases.view_confidential"

PUBLIC = "public"
CONFIDENTIAL = "confidential"
PUBLICATION = "publication"
INTERNAL = "internal"


@dataclass(frozen=True)
class PublicWhen:
    """Public on the records where `condition` (a Q on the model) holds; `holds(obj)` says it of
    one record, as the condition would."""

    condition: Q
    holds: Any = field(compare=False)
    label: str = ""


UNPROTECTED = PublicWhen(
    Q(identity_protected=False),
    lambda defender: not defender.identity_protected,
    "the defender's identity is not protected",
)
OF_UNPROTECTED = PublicWhen(
    Q(defender__identity_protected=False),
    lambda alias: alias.defender_id is not None and not alias.defender.identity_protected,
    "the defender's identity is not protected",
)
OF_PUBLIC_SOURCE = PublicWhen(
    Q(is_public=True), lambda source: source.is_public, "the source is public"
)
PUBLIC_FILE = PublicWhen(
    Q(is_public=True, file_is_public=True),
    lambda source: source.is_public and source.file_is_public,
    "the source and its file are public",
)
CITES_PUBLIC_SOURCE = PublicWhen(
    Q(source__is_public=True),
    lambda citation: citation.source_id is not None and citation.source.is_public,
    "the cited source is public",
)

_STAMPS = {"id": INTERNAL, "created_at": INTERNAL, "updated_at": INTERNAL}
_PARTIAL_DATE = {"date": PUBLIC, "date_precision": PUBLIC, "date_qualifier": PUBLIC}

DECLARATION = {
    Case: {
        **_STAMPS,
        "version": INTERNAL,
        "title": PUBLIC,
        "slug": PUBLIC,
        "summary": PUBLIC,
        "state_of_concern": PUBLIC,
        "other_states": PUBLIC,
        "country_number": INTERNAL,
        # The identifier of the spreadsheet row it was imported from (cases/transfer.py).
        "external_id": INTERNAL,
        "violation_types": PUBLIC,
        "defenders": PUBLIC,
        "related_cases": PUBLIC,
        "status": PUBLIC,
        "opened_on": PUBLIC,
        "closed_on": PUBLIC,
        "closing_reason": PUBLIC,
        "published_at": PUBLICATION,
        # Derived from the publication of the case, its alerts and appeals; shown as "updated".
        "last_public_change": PUBLIC,
        "lead_officer": INTERNAL,
        "collaborators": INTERNAL,
        "follow_up_on": INTERNAL,
        "follow_up_note": INTERNAL,
        "risk_level": CONFIDENTIAL,
        "internal_notes": CONFIDENTIAL,
    },
    Defender: {
        "version": INTERNAL,
        **_STAMPS,
        "kind": PUBLIC,
        "name": UNPROTECTED,
        # The identifier of the spreadsheet row it was imported from (cases/transfer.py).
        "external_id": INTERNAL,
        "public_name": PUBLICATION,
        "slug": PUBLICATION,
        "identity_protected": PUBLICATION,
        "profession": UNPROTECTED,
        "nationality": UNPROTECTED,
        "country_of_residence": CONFIDENTIAL,
        # Written for readers, for a protected defender too ("a lawyer in exile").
        "protection_status": PUBLIC,
        "public_profile": PUBLIC,
        "contact_details": CONFIDENTIAL,
        "internal_notes": CONFIDENTIAL,
    },
    Alias: {
        "version": INTERNAL,
        "id": INTERNAL,
        "defender": PUBLIC,
        "name": OF_UNPROTECTED,
        "kind": OF_UNPROTECTED,
        "note": OF_UNPROTECTED,
    },
    CaseDefender: {
        "version": INTERNAL,
        "id": INTERNAL,
        "case": PUBLIC,
        "defender": PUBLIC,
        "role": PUBLIC,
        "description": PUBLIC,
        "position": PUBLIC,
    },
    Alert: {
        **_STAMPS,
        **_PARTIAL_DATE,
        "version": INTERNAL,
        "case": PUBLIC,
        "kind": PUBLIC,
        "title": PUBLIC,
        "description": PUBLIC,
        # The identifier of the spreadsheet row it was imported from (cases/transfer.py).
        "external_id": INTERNAL,
        "country": PUBLIC,
        "place": PUBLIC,
        "authorities": PUBLIC,
        "defenders": PUBLIC,
        "verification": PUBLIC,
        "disputed": PUBLIC,
        "dispute_note": PUBLIC,
        # Where the alert falls in the story (a date known to a month sorts at its end).
        "sorts_on": PUBLIC,
        "sort_date": PUBLIC,
        "appeal": PUBLIC,
        "published_at": PUBLICATION,
        "internal_notes": CONFIDENTIAL,
    },
    Appeal: {
        **_STAMPS,
        "version": INTERNAL,
        "case": PUBLIC,
        "kind": PUBLIC,
        "reference_code": PUBLIC,
        "code_year": INTERNAL,
        # The identifier of the spreadsheet row it was imported from (cases/transfer.py).
        "external_id": INTERNAL,
        "code_number": INTERNAL,
        "parent": PUBLIC,
        "follow_up_number": INTERNAL,
        "issuer": PUBLIC,
        "co_signers": PUBLIC,
        "title": PUBLIC,
        "date": PUBLIC,
        "language": PUBLIC,
        "body": PUBLIC,
        "original_url": PUBLIC,
        "take_action_before": PUBLIC,
        "after_deadline": PUBLIC,
        "body_is_summary": PUBLIC,
        "violation_types": PUBLIC,
        "state": PUBLICATION,
        "author": INTERNAL,
        "reviewer": INTERNAL,
        "published_by": INTERNAL,
        "published_at": PUBLICATION,
        "corrected_at": PUBLICATION,
        "withdrawn_at": PUBLICATION,
        "withdrawal_reason": INTERNAL,
        # Derived: whether the case is published (Appeal.objects.published()).
        "case_published": PUBLICATION,
        "internal_notes": CONFIDENTIAL,
    },
    RequestedAction: {
        "version": INTERNAL,
        "id": INTERNAL,
        "appeal": PUBLIC,
        "position": PUBLIC,
        "text": PUBLIC,
        "target_state": PUBLIC,
        "target_authority": PUBLIC,
    },
    Addressee: {
        "version": INTERNAL,
        "id": INTERNAL,
        "appeal": PUBLIC,
        "authority": PUBLIC,
        "role": PUBLIC,
        "position": PUBLIC,
    },
    Source: {
        "version": INTERNAL,
        **_STAMPS,
        "date_precision": OF_PUBLIC_SOURCE,
        "date_qualifier": OF_PUBLIC_SOURCE,
        "date": OF_PUBLIC_SOURCE,
        "kind": PUBLIC,
        "title": OF_PUBLIC_SOURCE,
        "publisher": OF_PUBLIC_SOURCE,
        "author": OF_PUBLIC_SOURCE,
        "language": OF_PUBLIC_SOURCE,
        "url": OF_PUBLIC_SOURCE,
        "file": PUBLIC_FILE,
        "file_type": PUBLIC_FILE,
        "file_size": PUBLIC_FILE,
        # The name it was uploaded with can name a witness: the public get one made from the
        # title, staff without the permission none.
        "file_name": CONFIDENTIAL,
        "is_public": PUBLICATION,
        "file_is_public": PUBLICATION,
        # Derived: whether a published page cites the source (Source.objects.published()).
        "cited_publicly": PUBLICATION,
        "reliability": INTERNAL,
        "internal_notes": CONFIDENTIAL,
    },
    Citation: {
        "version": INTERNAL,
        "id": INTERNAL,
        "source": PUBLIC,
        "alert": PUBLIC,
        "recommendation_update": PUBLIC,
        "quoted_passage": CITES_PUBLIC_SOURCE,
        "is_version": CITES_PUBLIC_SOURCE,
        "locator": CITES_PUBLIC_SOURCE,
        "note": CITES_PUBLIC_SOURCE,
        "position": PUBLIC,
    },
    Recommendation: {
        "id": INTERNAL,
        "created_at": INTERNAL,
        "version": INTERNAL,
        "case": PUBLIC,
        "text": PUBLIC,
        "quote": PUBLIC,
        "target_state": PUBLIC,
        "target_authority": PUBLIC,
        "issuer": PUBLIC,
        "co_issuers": PUBLIC,
        "issued_on": PUBLIC,
        "appeal": PUBLIC,
        "requested_action": INTERNAL,
        # The identifier of the spreadsheet row it was imported from (cases/transfer.py).
        "external_id": INTERNAL,
        "source": PUBLIC,
        "current_status": PUBLIC,
        "last_update_on": PUBLIC,
        # Derived: whether the case is published (Recommendation.objects.published()).
        "case_published": PUBLICATION,
        "follow_up_on": INTERNAL,
        "follow_up_note": INTERNAL,
    },
    RecommendationUpdate: {
        "version": INTERNAL,
        **_PARTIAL_DATE,
        "id": INTERNAL,
        "recommendation": PUBLIC,
        "description": PUBLIC,
        "status": PUBLIC,
        "recorded_by": INTERNAL,
        "created_at": INTERNAL,
    },
    ViolationType: {
        "id": INTERNAL,
        "version": INTERNAL,
        "name": PUBLIC,
        "slug": PUBLIC,
        "description": PUBLIC,
    },
    Organisation: {
        "version": INTERNAL,
        **_STAMPS,
        "name": PUBLIC,
        "acronym": PUBLIC,
        "kind": PUBLIC,
        "country": PUBLIC,
        "website": PUBLIC,
    },
    Authority: {
        "version": INTERNAL,
        **_STAMPS,
        "name": PUBLIC,
        "kind": PUBLIC,
        "country": PUBLIC,
        "office_holder": PUBLIC,
        "title": PUBLIC,
        "salutation": PUBLIC,
        "postal_address": PUBLIC,
        "email": PUBLIC,
        "website": PUBLIC,
        "valid_from": PUBLIC,
        "valid_to": PUBLIC,
        "languages": PUBLIC,
    },
    # How many readers said they acted: staff see the rows, the public only an appeal's total.
    ActionTally: {"id": INTERNAL, "appeal": INTERNAL, "addressee": INTERNAL, "count": INTERNAL},
    Page: {
        **_STAMPS,
        "version": INTERNAL,
        "slug": PUBLIC,
        "title": PUBLIC,
        "body": PUBLIC,
        "published_at": PUBLICATION,
    },
    PublicationRequest: {
        "id": INTERNAL,
        "content_type": INTERNAL,
        "object_id": INTERNAL,
        "what": INTERNAL,
        "note": INTERNAL,
        "requested_by": INTERNAL,
        "requested_at": INTERNAL,
    },
    # Who exported or imported which spreadsheet (cases/transfer.py): staff bookkeeping.
    TransferLog: {
        "id": INTERNAL,
        "direction": INTERNAL,
        "what": INTERNAL,
        "file_format": INTERNAL,
        "rows": INTERNAL,
        "user": INTERNAL,
        "with_confidential": INTERNAL,
        "at": INTERNAL,
    },
    # The page cache's bookkeeping (public/cache.py): when the public last saw a change.
    PageGeneration: {
        "id": INTERNAL,
        "generation": INTERNAL,
        "changed_at": INTERNAL,
        "scope": INTERNAL,
    },
}

# Texts staff translate: a column per language of settings.LANGUAGES for each (title_en,
# title_fr, ...: cases/translation.py), each disclosed like the field it translates, and only
# public texts are translated (the system check below refuses another). Each record says the
# language it was written in (public: pages mark its passages with it), and when each
# translation was last written against which version of the original (staff bookkeeping).
TRANSLATED = {
    Case: ("title", "summary", "closing_reason"),
    Alert: ("title", "description", "dispute_note"),
    Appeal: ("title", "body", "after_deadline"),
    RequestedAction: ("text",),
    # Our paraphrase; the quote keeps the language of its source.
    Recommendation: ("text",),
    RecommendationUpdate: ("description",),
    ViolationType: ("name", "description"),
    Organisation: ("name",),
    Authority: ("name", "title", "salutation"),
    Page: ("title", "body"),
}
TRANSLATION_BOOKKEEPING = {"original_language": PUBLIC, "translations": INTERNAL}


def translation_columns(model, name):
    """The columns that hold `name` of `model` in each language (title_en, title_fr, ...)."""
    return [f"{name}_{code}" for code, _label in settings.LANGUAGES]


class Declared(MutableMapping):
    """
    One model's declaration: its fields' classes, and each translation column's, which is
    always the class of the field it translates (read, never copied: the one line that makes
    `summary` confidential makes `summary_fr` confidential too).
    """

    def __init__(self, model, declared):
        self.data = dict(declared)
        self.columns = {
            column: name
            for name in TRANSLATED.get(model, ())
            for column in translation_columns(model, name)
        }

    def __getitem__(self, key):
        if key in self.data:
            return self.data[key]
        if key in self.columns:
            return self.data[self.columns[key]]
        raise KeyError(key)

    def __iter__(self):
        yield from self.data
        yield from (column for column in self.columns if column not in self.data)

    def __len__(self):
        return len(self.data.keys() | self.columns.keys())

    def __setitem__(self, key, value):
        self.data[key] = value

    def __delitem__(self, key):
        del self.data[key]


for _model in list(DECLARATION):
    DECLARATION[_model] = Declared(_model, DECLARATION[_model])
for _model in TRANSLATED:
    for _name, _kind in TRANSLATION_BOOKKEEPING.items():
        # An appeal's language is a field of its own; its requested actions are in it.
        if _model.__dict__.get(_name, ...) is not None:
            DECLARATION[_model].setdefault(_name, _kind)

# Who may write a publication field (through its service, or in a form that calls it).
PUBLISH_PERMISSIONS = {
    Case: "cases.publish_case",
    Alert: "cases.publish_alert",
    Source: "cases.publish_source",
    Appeal: "cases.publish_appeal",
    # The site's own pages: those who may write them (publishers).
    Page: "cases.change_page",
    # A defender's public name and address may carry the real name: those who may see it.
    Defender: PERMISSION,
}


# Publication fields a form may write, and for whom (on an existing record). Everything else
# in PUBLICATION changes only through the services (buttons and actions of the workspace).
# A new record is public to nobody: its author sets the defender's pseudonym and protection.
ADD_FORM_WRITABLE = {Defender: {"public_name", "slug", "identity_protected"}}
CHANGE_FORM_WRITABLE = {Defender: {"public_name", "slug"}}

# Shown instead of a value the reader may not see.
CONFIDENTIAL_MARK = gettext_lazy("(confidential)")


# --- Reading the declaration --------------------------------------------------------------


def field_class(model, name):
    return DECLARATION[model][name]


def fields_of(model, *classes):
    """The names of `model`'s fields whose class is one of `classes` (a PublicWhen counts as
    the type PublicWhen)."""
    return {
        name
        for name, kind in DECLARATION.get(model, {}).items()
        if kind in classes or (PublicWhen in classes and isinstance(kind, PublicWhen))
    }


def public_fields(model, obj=None):
    """
    The fields the public may see on a published record of `model` (on `obj` when given: a
    PublicWhen field only where it holds). Publication fields are public too: they are the
    published state itself (the date of publication, the public name and address).
    """
    names = fields_of(model, PUBLIC, PUBLICATION)
    for name, kind in DECLARATION.get(model, {}).items():
        if isinstance(kind, PublicWhen) and (obj is None or kind.holds(obj)):
            names.add(name)
    return names


def public_condition(model, name, prefix=""):
    """
    The rows of `model` on which field `name` is public, as a Q (with every lookup under
    `prefix`, e.g. "defender__"): everything for a public field, nothing for a hidden one.
    For the public site's filters and counts, which must not count what they may not show.
    """
    kind = DECLARATION[model][name]
    if kind in (PUBLIC, PUBLICATION):
        return Q()
    if isinstance(kind, PublicWhen):
        return Q(**{f"{prefix}{key}": value for key, value in kind.condition.children})
    return Q(pk__in=[])


def publication_fields(model):
    return fields_of(model, PUBLICATION)


def may_view(user):
    return user.has_perm(PERMISSION)


def form_writable(user, model, name, obj):
    """Whether a form of the staff workspace may write the publication field `name`."""
    if obj is None:
        return name in ADD_FORM_WRITABLE.get(model, set())
    permission = PUBLISH_PERMISSIONS.get(model)
    return (
        name in CHANGE_FORM_WRITABLE.get(model, set())
        and permission is not None
        and user.has_perm(permission)
    )


def hidden_fields(user, model, obj=None):
    """
    The fields of `obj` (or, with none, of records of `model` listed together) that `user` may
    not see: the confidential ones, and the PublicWhen ones where the condition does not hold.
    """
    if may_view(user):
        return set()
    hidden = fields_of(model, CONFIDENTIAL)
    for name, kind in DECLARATION.get(model, {}).items():
        if isinstance(kind, PublicWhen) and (obj is None or not kind.holds(obj)):
            hidden.add(name)
    return hidden


def history_hidden_fields(user, model, obj):
    """
    What `user` may not see in the history of `obj`: what is hidden now, and, once a field of
    the record is hidden by its condition (a protected defender, a private source), the past
    values of its publication fields too: a protected defender's former public name and
    address are the real name.
    """
    hidden = hidden_fields(user, model, obj)
    if obj is None or hidden & fields_of(model, PublicWhen):
        hidden |= {n for n in publication_fields(model) if n not in _FLAGS}
    return hidden


# Publication fields that are flags, not values: their history tells nothing hidden.
_FLAGS = {"published_at", "is_public", "file_is_public", "identity_protected", "state"}


def listed_condition(user, model, name):
    """
    For a list: the rows on which `user` may see field `name` (a Q), None for every row, or
    False for none.
    """
    if may_view(user):
        return None
    kind = DECLARATION.get(model, {}).get(name)
    if kind in (PUBLIC, PUBLICATION, INTERNAL):
        return None
    if isinstance(kind, PublicWhen):
        return kind.condition
    return False


def lookup_visible(user, model, lookup):
    """
    Whether `user` may filter, order or search `model` by `lookup` ("defenders__aliases__name",
    "file_name__regex"): every field along the path must be one they may see on every row. A
    lookup through a field they may not see would answer "1 result" or "0 results" to guesses.
    """
    if may_view(user):
        return True
    current = model
    for part in lookup.lstrip("-").split("__"):
        if current is None or current not in DECLARATION:
            return True
        try:
            model_field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return True  # a lookup or a transform (icontains, regex, year): the field decided
        declared = model_field.concrete or (
            model_field.many_to_many and not model_field.auto_created
        )
        if declared and listed_condition(user, current, model_field.name) is not None:
            return False
        current = model_field.related_model
    return True


def label(user, obj):
    """How `obj` is named to `user`: its name, or a neutral one when the name is hidden."""
    model = type(obj)
    if may_view(user):
        return str(obj)
    if model is Source and not obj.is_public:
        return _("Private source #%(pk)s") % {"pk": obj.pk}
    if model is Citation and not (obj.source_id and obj.source.is_public):
        return _("Citation of a private source #%(pk)s") % {"pk": obj.pk}
    if model is Alias and obj.defender.identity_protected:
        return _("Alias #%(pk)s") % {"pk": obj.pk}
    return str(obj)


def shown_parts(user, records):
    """
    `records` (records or their history records) without those whose very existence `user`
    may not see: aliases of protected defenders (or of defenders no longer there) and
    citations of private sources. Two queries at most, whatever the number of records.
    """
    records = list(records)
    if may_view(user):
        return records

    def is_a(record, model):
        return isinstance(record, model) or getattr(record, "instance_type", None) is model

    defender_ids = {r.defender_id for r in records if is_a(r, Alias)}
    source_ids = {r.source_id for r in records if is_a(r, Citation)}
    shown_defenders = set(
        Defender.objects.filter(pk__in=defender_ids, identity_protected=False).values_list(
            "pk", flat=True
        )
        if defender_ids
        else ()
    )
    public_sources = set(
        Source.objects.filter(pk__in=source_ids, is_public=True).values_list("pk", flat=True)
        if source_ids
        else ()
    )
    return [
        r
        for r in records
        if (not is_a(r, Alias) or r.defender_id in shown_defenders)
        and (not is_a(r, Citation) or r.source_id in public_sources)
    ]


# --- The system check ---------------------------------------------------------------------


def project_models():
    """Every model of the project's own apps (not Django's, not a library's), but the
    history tables, which mirror the records they follow, and auto-created link tables."""
    for config in apps.get_app_configs():
        if Path(config.path).parent != Path(settings.BASE_DIR):
            continue  # Django's own apps and the libraries'; the project's are at its root
        for model in config.get_models():
            if model.__name__.startswith("Historical") and hasattr(model, "instance_type"):
                continue
            yield model


def declared_names(model):
    """The fields the declaration must cover: concrete ones and many-to-many links."""
    names = []
    for model_field in model._meta.get_fields():
        if model_field.auto_created and not model_field.concrete:
            continue  # reverse relations belong to the other side
        if model_field.concrete or model_field.many_to_many:
            names.append(model_field.name)
    return names


@checks.register(checks.Tags.security)
def check_declaration(app_configs=None, **kwargs):
    errors = []
    for model in project_models():
        declared = DECLARATION.get(model, {})
        for name in declared_names(model):
            if name not in declared:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{name} has no disclosure class.",
                        hint="Declare it in cases/disclosure.py: PUBLIC, CONFIDENTIAL, "
                        "PUBLICATION, INTERNAL or PublicWhen(...). Nothing can tell who may "
                        "see it until then.",
                        obj=model,
                        id="observatory.E001",
                    )
                )
        for name in TRANSLATED.get(model, ()):
            if declared.get(name) != PUBLIC:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{name} is translated but not PUBLIC.",
                        hint="Only public texts are translated (cases/disclosure.py).",
                        obj=model,
                        id="observatory.E003",
                    )
                )
        for name in set(declared) - set(declared_names(model)):
            errors.append(
                checks.Error(
                    f"cases/disclosure.py declares {model._meta.label}.{name}, "
                    "which is not a field.",
                    obj=model,
                    id="observatory.E002",
                )
            )
    return errors
