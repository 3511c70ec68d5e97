"""
The tracker as a spreadsheet: the published recommendations a reader filtered, as CSV.

It starts from `Recommendation.objects.published()` and shows only what the tracker page shows.
Cells that a spreadsheet would read as a formula are written as text.
"""

import csv
from itertools import chain

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from cases.models import (
    Appeal,
    Authority,
    Organisation,
    Recommendation,
    RecommendationStatus,
    Source,
)
from cases.models.recommendations import latest_updates
from cases.multilingual import in_language
from observatory.http import safe

from .filters import RecommendationFilter

# Rows read from the database at a time: the export streams, whatever its size.
CHUNK_SIZE = 2000

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    """A cell's value as a spreadsheet will read it: text, never a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write() returns the line: csv.writer feeds the stream."""

    def write(self, line):
        return line


def columns():
    return [
        _("Government"),
        _("Authority"),
        _("In the source's words"),
        _("Recommendation"),
        _("Made by"),
        _("Issued on"),
        _("Status"),
        _("Last update"),
        _("Latest development"),
        _("Overdue"),
        _("Case"),
        _("Address"),
        _("Appeal"),
        _("Source"),
    ]


class _Names:
    """
    How the export names the records a recommendation points to, each looked up once per
    export: authorities, organisations, and the appeals and sources the public may see.
    """

    def __init__(self):
        self.known = {Authority: {}, Organisation: {}, Appeal: {}, Source: {}}

    def load(self, model, ids):
        """Name the records of `model` among `ids` not named yet: at most one query."""
        known = self.known[model]
        missing = {pk for pk in ids if pk is not None and pk not in known}
        if not missing:
            return
        if model is Appeal:
            records = (
                Appeal.objects.filter(pk__in=missing)
                .select_related("case")
                .only("reference_code", "title", "state", "case__published_at")
            )
            # A withdrawn appeal, or one of a draft case, is not named: as on the tracker.
            shown = {a.pk: str(a) for a in records if a.is_published()}
        elif model is Source:
            records = Source.objects.filter(pk__in=missing, is_public=True)
            records = records.select_related("publisher").only(
                "title",
                "date",
                "date_precision",
                "date_qualifier",
                "publisher__name",
                "publisher__acronym",
            )
            shown = {s.pk: str(s) for s in records}
        else:
            shown = {pk: str(record) for pk, record in model.objects.in_bulk(missing).items()}
        known.update({pk: shown.get(pk, "") for pk in missing})

    def __call__(self, model, pk):
        return "" if pk is None else self.known[model][pk]


def _batches(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# What a row reads from the recommendation and its case: plain values, no model instances
# (an export may have hundreds of thousands of rows).
VALUES = (
    "pk",
    "target_state",
    "target_authority_id",
    "quote",
    "shown_text",
    "issuer_id",
    "issued_on",
    "current_status",
    "last_update_on",
    "latest_development",
    "is_overdue",
    "shown_case_title",
    "case__slug",
    "appeal_id",
    "source_id",
)


def _lines(queryset, request):
    writer = csv.writer(_Echo())
    names = _Names()
    # Translated once per export, not once per row.
    statuses = {value: str(label) for value, label in RecommendationStatus.choices}
    yes, no = _("yes"), _("no")
    governments = {}
    case_addresses = {}
    # A byte-order mark, so that spreadsheets read the names' accents as UTF-8.
    yield "\ufeff" + writer.writerow(columns())
    rows = queryset.values_list(*VALUES, named=True).iterator(CHUNK_SIZE)
    for batch in _batches(rows, CHUNK_SIZE):
        ids = [row.pk for row in batch]
        co_issuers = {}
        through = Recommendation.co_issuers.through.objects.filter(recommendation_id__in=ids)
        for recommendation, organisation in through.values_list(
            "recommendation_id", "organisation_id"
        ).order_by("recommendation_id", "organisation__name"):
            co_issuers.setdefault(recommendation, []).append(organisation)
        names.load(Authority, [row.target_authority_id for row in batch])
        names.load(Organisation, [row.issuer_id for row in batch] + [*chain(*co_issuers.values())])
        names.load(Appeal, [row.appeal_id for row in batch])
        names.load(Source, [row.source_id for row in batch])
        for row in batch:
            state, slug = row.target_state, row.case__slug
            if state not in governments:
                governments[state] = countries.name(state)
            if slug not in case_addresses:
                case_addresses[slug] = request.build_absolute_uri(
                    reverse("cases:case_detail", args=[slug])
                )
            made_by = [row.issuer_id, *co_issuers.get(row.pk, [])]
            # The source's words, unless the source is not public (as on the tracker).
            quote = row.quote if row.source_id is None or names(Source, row.source_id) else ""
            cells = [
                governments[state],
                names(Authority, row.target_authority_id),
                quote,
                row.shown_text,
                "; ".join(names(Organisation, organisation) for organisation in made_by),
                row.issued_on.isoformat(),
                statuses[row.current_status],
                row.last_update_on.isoformat() if row.last_update_on else "",
                row.latest_development or "",
                yes if row.is_overdue else no,
                row.shown_case_title,
                f"{case_addresses[slug]}#recommendation-{row.pk}",
                names(Appeal, row.appeal_id),
                names(Source, row.source_id),
            ]
            yield writer.writerow([as_text(cell) for cell in cells])


@safe
def recommendation_export(request):
    """The tracker's recommendations, with the same filters, as a CSV download."""
    today = timezone.localdate()
    latest = latest_updates(OuterRef("pk"))
    # Plain values in the reader's language, the original where there is no translation.
    recommendations = (
        Recommendation.objects.published()
        .rewrite(False)
        .with_is_overdue(today)
        .annotate(
            latest_development=Subquery(
                latest.rewrite(False).annotate(shown=in_language("description")).values("shown")[:1]
            ),
            shown_text=in_language("text"),
            shown_case_title=in_language("case__title"),
        )
        .order_by("target_state", "-issued_on", "id")
    )
    filterset = RecommendationFilter(request.GET, queryset=recommendations, today=today)
    if not filterset.is_valid():
        return HttpResponse(
            "\n".join(filterset.error_messages()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    # HEAD gets the headers only: the whole tracker is not written to be thrown away.
    rows = _lines(filterset.qs, request) if request.method == "GET" else []
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="recommendations-{today.isoformat()}.csv"'
    )
    return response
