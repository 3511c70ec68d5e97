"""
The staff workspace's front page (the admin index, accounts/admin_site.py): what needs
doing, each item a link to the filtered list.
"""

import datetime

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import disclosure
from ..models import Alert, Appeal, Case, PublicationRequest, Recommendation
from ..multilingual import LANGUAGE_CODES, MISSING, OUTDATED, needing_translation, states
from .publication import may_publish_requests, publishable_types
from .translations import STATE_LABELS

# How long a case may go without a new alert before the dashboard asks about it.
QUIET_DAYS = 90
DASHBOARD_ROWS = 8


def _changelist(model_name, **params):
    url = reverse(f"admin:cases_{model_name}_changelist")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _panel(title, queryset, url, empty, permission, user, note=None):
    if not user.has_perm(permission):
        return None
    rows = list(queryset[: DASHBOARD_ROWS + 1])
    for row in rows:
        row.admin_url = reverse(f"admin:cases_{row._meta.model_name}_change", args=[row.pk])
        row.dashboard_note = note(row) if note else ""
    return {
        "title": title,
        "rows": rows[:DASHBOARD_ROWS],
        "more": len(rows) > DASHBOARD_ROWS,
        "url": url,
        "empty": empty,
    }


def _follow_up_note(record):
    note = record.follow_up_note or _("follow up")
    return _("%(note)s · due %(date)s") % {"note": note, "date": record.follow_up_on}


def dashboard(user, today=None):
    """
    The panels of what needs doing, each one query (the records awaiting publication one per
    kind of record), whatever the size of the observatory.
    """
    today = today or timezone.localdate()
    quiet_since = today - datetime.timedelta(days=QUIET_DAYS)
    panels = [
        _panel(
            _("My cases"),
            Case.objects.of_user(user).select_related("lead_officer").order_by("title", "pk"),
            _changelist("case", mine="yes"),
            _("You lead no case and collaborate on none."),
            "cases.view_case",
            user,
            note=lambda c: _("lead officer") if c.lead_officer_id == user.pk else _("collaborator"),
        ),
        _panel(
            _("Cases to follow up"),
            Case.objects.due_reminders(user, today).order_by("follow_up_on", "title", "pk"),
            _changelist("case", follow_up="due"),
            _("No case of yours has a follow-up due."),
            "cases.view_case",
            user,
            note=_follow_up_note,
        ),
        _panel(
            _("Recommendations to follow up"),
            Recommendation.objects.due_reminders(user, today)
            .select_related("case")
            .order_by("follow_up_on", "pk"),
            _changelist("recommendation", follow_up="due"),
            _("No recommendation of yours has a follow-up due."),
            "cases.view_recommendation",
            user,
            note=lambda r: f"{r.case} · {_follow_up_note(r)}",
        ),
        _panel(
            _("My drafts"),
            Appeal.objects.filter(author=user, state__in=["draft", "in_review"])
            .select_related("case")
            .order_by("-updated_at"),
            _changelist("appeal", mine="yes", state__in="draft,in_review"),
            _("You have no appeal in draft or in review."),
            "cases.view_appeal",
            user,
            note=lambda a: f"{a.get_state_display()} · {a.case}",
        ),
        _panel(
            _("Appeals awaiting review"),
            Appeal.objects.filter(state="in_review")
            .select_related("case", "author")
            .order_by("updated_at"),
            _changelist("appeal", state__exact="in_review"),
            _("No appeal is waiting for review."),
            "cases.view_appeal",
            user,
            note=lambda a: _("%(case)s · by %(author)s") % {"case": a.case, "author": a.author},
        ),
        _panel(
            _("My overdue recommendations"),
            Recommendation.objects.overdue(today)
            .of_user(user)
            .annotate(last_activity_on=Coalesce("last_update_on", "issued_on"))
            .select_related("case")
            .order_by("last_activity_on", "id"),
            _changelist("recommendation", overdue="yes", mine="yes"),
            _("No recommendation of your cases is overdue."),
            "cases.view_recommendation",
            user,
            note=lambda r: (
                _("%(case)s · nothing new since %(date)s")
                % {"case": r.case, "date": r.last_activity_on}
            ),
        ),
        _panel(
            _("Overdue recommendations"),
            Recommendation.objects.overdue(today)
            .annotate(last_activity_on=Coalesce("last_update_on", "issued_on"))
            .select_related("case", "target_authority")
            .order_by("last_activity_on", "id"),
            _changelist("recommendation", overdue="yes"),
            _("No recommendation is overdue."),
            "cases.view_recommendation",
            user,
            note=lambda r: (
                _("%(case)s · nothing new since %(date)s")
                % {"case": r.case, "date": r.last_activity_on}
            ),
        ),
        _panel(
            _("Latest alerts"),
            Alert.objects.select_related("case").order_by("-created_at", "-id"),
            _changelist("alert", logged=30),
            _("No alert has been logged yet."),
            "cases.view_alert",
            user,
            note=lambda a: str(a.case),
        ),
        _panel(
            _("Cases without an alert for %(days)s days") % {"days": QUIET_DAYS},
            Case.objects.without_alert_since(quiet_since).order_by("opened_on", "title"),
            _changelist("case", quiet=QUIET_DAYS),
            _("Every case followed has a recent alert."),
            "cases.view_case",
            user,
        ),
    ]
    panels.append(_translations_to_do(user))
    if may_publish_requests(user):
        panels[:0] = [
            _awaiting_publication(
                user,
                PublicationRequest.objects.for_reviewer(user, publishable_types(user)),
                _("For me to review"),
                reverse("admin:cases_publicationrequest_changelist") + "?for_me=yes",
                _("Nobody is waiting for you to publish something."),
            ),
            _awaiting_publication(
                user,
                PublicationRequest.objects.all(),
                _("Awaiting publication"),
                reverse("admin:cases_publicationrequest_changelist"),
                _("Nothing is waiting to be published."),
            ),
        ]
    return [panel for panel in panels if panel]


def _awaiting_publication(user, queryset, title, url, empty):
    """Records marked ready for publication, oldest first, for those who may publish."""
    # The records are read together, one query per kind of record, not one per row.
    rows = list(
        queryset.select_related("content_type", "requested_by")
        .prefetch_related("record")
        .order_by("requested_at", "id")[: DASHBOARD_ROWS + 1]
    )
    shown = []
    for row in rows[:DASHBOARD_ROWS]:
        record = row.record
        if record is None:
            continue
        opts = record._meta
        row.admin_url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
        )
        row.label = f"{opts.verbose_name}: {disclosure.label(user, record)}"
        row.dashboard_note = _("%(what)s · asked by %(who)s") % {
            "what": row.get_what_display(),
            "who": row.requested_by or "—",
        }
        shown.append(row)
    return {
        "title": title,
        "rows": shown,
        "more": len(rows) > DASHBOARD_ROWS,
        "url": url,
        "empty": empty,
    }


def _translations_to_do(user):
    """The published cases with a text not translated into a language of the site, or whose
    translation no longer matches its original: what some readers are shown in another
    language. One query, whatever the number of languages."""
    published = Case.objects.published()
    wanted = Q()
    for code in LANGUAGE_CODES:
        for condition in (MISSING, OUTDATED):
            wanted |= Q(pk__in=needing_translation(published, code, condition).values("pk"))
    queryset = published.filter(wanted).order_by("title", "pk")

    def note(case):
        return " · ".join(
            f"{code}: {STATE_LABELS[condition]}"
            for code, condition in states(case).items()
            if condition in (MISSING, OUTDATED)
        )

    return _panel(
        _("Cases to translate"),
        queryset,
        _changelist("case"),
        _("Every published case is translated into every language of the site."),
        "cases.view_case",
        user,
        note=note,
    )
