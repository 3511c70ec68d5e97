"""
What a case's admin page shows of its alerts, appeals and recommendations: the latest few,
read-only, each linking to its own page, and a link to the case's filtered list of all of them.
Inlines would put two hidden fields per record into the case's form: a case with 480 alerts
could then no longer be saved (Django refuses more than 1,000 fields), and the page grew with
the timeline. This costs two queries per kind, whatever the number of records.
"""

from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..models import Alert, Appeal, Case, Recommendation, RecommendationUpdate

LATEST = 10


class CaseFilter(admin.SimpleListFilter):
    """
    The records of one case, as linked from the case's page. It offers no list of cases to
    choose from (there can be 100,000): only the chosen one, so the list says which it shows.
    """

    title = gettext_lazy("case")
    parameter_name = "case"

    def case_id(self):
        try:
            return int(self.value())
        except (TypeError, ValueError):
            return None

    def lookups(self, request, model_admin):
        if self.value() is None:
            return []  # no choice offered: the filter shows only when a case page links here
        case = Case.objects.filter(pk=self.case_id()).first() if self.case_id() else None
        # An unknown case is still a filter (of nothing): otherwise the list would show all.
        return [(self.value(), str(case) if case else _("(no such case)"))]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        case_id = self.case_id()
        return queryset.filter(case_id=case_id) if case_id else queryset.none()


def _change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _list_url(model, case):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + f"?case={case.pk}"


def _section(title, model, case, queryset, columns, row, every, actions=None, link=2):
    """
    One kind of record: its latest LATEST rows, each (address, cells, actions), the cell that
    links to the record's page, how many there are in all, and the address of the case's list.
    """
    records = list(queryset[:LATEST])
    count = queryset.order_by().count()
    return {
        "title": title,
        "columns": columns,
        "rows": [(_change_url(obj), row(obj), actions(obj) if actions else []) for obj in records],
        "has_actions": actions is not None,
        "link": link,
        "count": count,
        "every_url": _list_url(model, case),
        "every_label": every(count),
    }


def latest_records(case, user):
    """The sections of the case page, for the kinds of records `user` may view."""
    sections = []
    if user.has_perm("cases.view_alert"):
        alerts = Alert.objects.filter(case=case).order_by("-date", "-id")
        sections.append(
            _section(
                _("Timeline (latest alerts)"),
                Alert,
                case,
                alerts,
                [
                    _("date"),
                    _("kind"),
                    _("headline"),
                    _("verification"),
                    _("disputed"),
                    _("published"),
                ],
                lambda a: [
                    a.date_display,
                    Alert.Kind(a.kind).label,
                    a.title,
                    Alert.Verification(a.verification).label,
                    _("yes") if a.disputed else "",
                    _("yes") if a.published_at else _("no"),
                ],
                lambda n: (
                    ngettext("All %(n)s alert of this case", "All %(n)s alerts of this case", n)
                    % {"n": n}
                ),
            )
        )
    if user.has_perm("cases.view_appeal"):
        appeals = Appeal.objects.filter(case=case).order_by(F("date").desc(nulls_first=True), "-id")
        sections.append(
            _section(
                _("Appeals (latest)"),
                Appeal,
                case,
                appeals,
                [_("reference code"), _("kind"), _("title"), _("date"), _("state")],
                lambda a: [
                    a.reference_code,
                    Appeal.Kind(a.kind).label,
                    a.title,
                    a.date or "",
                    Appeal.State(a.state).label,
                ],
                lambda n: (
                    ngettext("All %(n)s appeal of this case", "All %(n)s appeals of this case", n)
                    % {"n": n}
                ),
            )
        )
    if user.has_perm("cases.view_recommendation"):
        recommendations = Recommendation.objects.filter(case=case).order_by("-issued_on", "-id")
        actions = None
        if user.has_perm("cases.add_recommendationupdate"):
            opts = RecommendationUpdate._meta
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")

            def actions(r):
                return [(_("Add an update"), f"{add}?recommendation={r.pk}")]

        sections.append(
            _section(
                _("Recommendations (latest)"),
                Recommendation,
                case,
                recommendations,
                [_("text"), _("target state"), _("issued on"), _("status")],
                lambda r: [
                    Truncator(r.text).chars(120),
                    r.target_state.name,
                    r.issued_on,
                    r.get_status_display(),
                ],
                lambda n: (
                    ngettext(
                        "All %(n)s recommendation of this case",
                        "All %(n)s recommendations of this case",
                        n,
                    )
                    % {"n": n}
                ),
                actions,
                link=0,
            )
        )
    return sections
