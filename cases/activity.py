"""
A case's activity: every change to the case and to its parts (its defenders, alerts and their
citations, appeals with their requested actions and addressees, recommendations and their
updates, the sources it cites), by anyone, newest first. It is read from the history that
django-simple-history keeps of every save and delete, and shows each change as the history
pages do: what a reader may not see is masked (cases/disclosure.py), and a part whose very
existence they may not see (a citation of a private source) is not listed.

One page costs one query for its rows (a UNION over the history tables), one to count them,
and at most three per kind of record on the page (the records, the versions before them, the
records as they are now), whatever the number of changes.
"""

from django.core.paginator import Paginator
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import disclosure
from .models import (
    Addressee,
    Alert,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Recommendation,
    RecommendationUpdate,
    RequestedAction,
    Source,
)

PER_PAGE = 50

# Bookkeeping that moves on every save: naming it in every change would hide the real ones.
NOT_SHOWN = {"version", "updated_at", "sort_date", "translations"}

# What each kind of record needs to be named (its __str__ reads these relations).
_NAMED_WITH = {
    Source: ["publisher"],
    Citation: ["source__publisher"],
    CaseDefender: ["defender"],
    Addressee: ["authority"],
}


def _kinds(case_id):
    """(model, the history records of `model` that belong to the case): deleted ones too."""
    alerts = Alert.history.filter(case_id=case_id).values("id")
    appeals = Appeal.history.filter(case_id=case_id).values("id")
    recommendations = Recommendation.history.filter(case_id=case_id).values("id")
    updates = RecommendationUpdate.history.filter(recommendation_id__in=recommendations).values(
        "id"
    )
    citations = Citation.history.filter(alert_id__in=alerts) | Citation.history.filter(
        recommendation_update_id__in=updates
    )
    return [
        (Case, Case.history.filter(id=case_id)),
        (CaseDefender, CaseDefender.history.filter(case_id=case_id)),
        (Alert, Alert.history.filter(case_id=case_id)),
        (Citation, citations),
        (Source, Source.history.filter(id__in=citations.values("source_id"))),
        (Appeal, Appeal.history.filter(case_id=case_id)),
        (RequestedAction, RequestedAction.history.filter(appeal_id__in=appeals)),
        (Addressee, Addressee.history.filter(appeal_id__in=appeals)),
        (Recommendation, Recommendation.history.filter(case_id=case_id)),
        (RecommendationUpdate, RecommendationUpdate.history.filter(id__in=updates)),
    ]


def activity_page(case, user, page_number=None):
    """
    The page `page_number` of the activity of `case` for `user`: a Django Page whose
    `object_list` is a list of Entry. Only the kinds of record `user` may view are listed.
    """
    kinds = [
        (model, records)
        for model, records in _kinds(case.pk)
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]
    rows = None
    for index, (_model, records) in enumerate(kinds):
        part = (
            records.order_by()
            .annotate(activity_kind=Value(index, output_field=IntegerField()))
            .values_list("history_id", "history_date", "activity_kind")
        )
        rows = part if rows is None else rows.union(part, all=True)
    paginator = Paginator(rows.order_by("-history_date", "-history_id"), PER_PAGE)
    page = paginator.get_page(page_number)
    page.object_list = _entries(list(page.object_list), kinds, user)
    return page


class Entry:
    """One change, as `user` may see it."""

    def __init__(self, record, model, label, changed, url):
        self.record = record
        self.model = model
        self.when = record.history_date
        self.who = record.history_user
        self.what = model._meta.verbose_name
        self.label = label
        self.action = record.get_history_type_display()
        self.reason = record.history_change_reason or ""
        self.changed = changed
        self.url = url


def _entries(rows, kinds, user):
    wanted = {}
    for history_id, _date, kind in rows:
        wanted.setdefault(kind, []).append(history_id)
    found = {}
    for kind, ids in wanted.items():
        model, _records = kinds[kind]
        history = model.history.model
        previous = (
            history.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        records = list(
            history.objects.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_id=Subquery(previous))
        )
        before = history.objects.in_bulk([r.previous_id for r in records if r.previous_id])
        current = (
            model._default_manager.select_related(*_NAMED_WITH.get(model, []))
            .filter(pk__in={r.id for r in records})
            .in_bulk()
        )
        for record in disclosure.shown_parts(user, records):
            found[(kind, record.history_id)] = (
                model,
                record,
                before.get(record.previous_id),
                current.get(record.id),
            )
    entries = []
    for history_id, _date, kind in rows:
        if (kind, history_id) not in found:
            continue  # a part the reader may not know of
        model, record, previous, now = found[(kind, history_id)]
        if model is Source and not disclosure.may_view(user) and not (now and now.is_public):
            # That the case cites a private source is as hidden as the citation itself.
            continue
        hidden = disclosure.history_hidden_fields(user, model, now)
        if now is not None:
            label = disclosure.label(user, now)
        else:
            label = _("deleted #%(pk)s") % {"pk": record.id}
        try:
            url = (
                reverse(f"admin:cases_{model._meta.model_name}_history", args=[record.id])
                if now is not None
                else None
            )
        except NoReverseMatch:
            url = None
        entries.append(Entry(record, model, label, _changed(model, record, previous, hidden), url))
    return entries


def _changed(model, record, previous, hidden):
    """The names of the fields this change wrote, but those `hidden`: one mark for them."""
    if record.history_type != "~" or previous is None:
        return []
    names, masked = [], False
    history_fields = {f.attname for f in type(record)._meta.concrete_fields}
    for field in model._meta.concrete_fields:
        if field.name in NOT_SHOWN or field.attname not in history_fields:
            continue
        if getattr(record, field.attname) == getattr(previous, field.attname):
            continue
        if field.name in hidden:
            masked = True
        else:
            names.append(str(field.verbose_name))
    if masked:
        names.append(str(disclosure.CONFIDENTIAL_MARK))
    return names
