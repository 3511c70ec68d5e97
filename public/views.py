"""
The public site. Every view starts from a `published()` queryset: an object that is not
published is a 404, whoever asks. Each view declares what its page touches
(`select_related` / `prefetch_related`), so a page costs the same number of queries whatever
the number of alerts, appeals or recommendations.
"""

from pathlib import Path

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_countries import countries

from cases import files
from cases import search as site_search
from cases.models import (
    ActionTally,
    Alert,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Page,
    Recommendation,
    RecommendationStatus,
    RecommendationUpdate,
    Source,
)
from cases.models.recommendations import overdue_condition
from cases.multilingual import in_language
from observatory.http import allow, safe

from . import letters
from .filters import AppealFilter, CaseFilter, RecommendationFilter
from .timeline import render_timeline

CASES_PER_PAGE = 20
APPEALS_PER_PAGE = 20
RECOMMENDATIONS_PER_PAGE = 25
SOURCES_PER_PAGE = 50


# The fields of an alert the case page prints (public/timeline.py and case_detail.html).
TIMELINE_FIELDS = (
    "case",
    "appeal",
    "date",
    "date_precision",
    "date_qualifier",
    "kind",
    "verification",
    "disputed",
    "dispute_note",
    "title",
    "place",
    "country",
    "description",
)


def _public_citations():
    """Citations whose source may be shown; a private source is never named publicly."""
    return Citation.objects.filter(source__is_public=True).select_related("source__publisher")


def _paginate(request, items, per_page):
    """
    The requested page, and a notice when the number asked for is not a page: readers get the
    nearest page and are told so, instead of an error.
    """
    paginator = Paginator(items, per_page)
    asked = request.GET.get("page", "")
    try:
        page = paginator.page(asked or 1)
        notice = ""
    except PageNotAnInteger:
        page = paginator.page(1)
        notice = _("“%(asked)s” is not a page number; this is page 1.") % {"asked": asked[:20]}
    except EmptyPage:
        page = paginator.get_page(asked)
        notice = _("There is no page %(asked)s; this is page %(number)s.") % {
            "asked": asked[:20],
            "number": page.number,
        }
    return page, notice


def _filtered_page(request, filterset, per_page):
    """Apply a FilterSet: invalid values give a 400 page that says what is wrong."""
    if filterset.is_valid():
        page, notice = _paginate(request, filterset.qs, per_page)
        status = 200
    else:
        page, notice, status = None, "", 400
    return {
        "filterset": filterset,
        "facets": filterset.facets(),
        "filter_errors": filterset.error_messages(),
        "page": page,
        "page_notice": notice,
    }, status


@safe
def home(request):
    today = timezone.localdate()
    statuses = dict(
        Recommendation.objects.published()
        .order_by()
        .values_list("current_status")
        .annotate(n=Count("pk"))
    )
    tracker = [
        (value, label, statuses.get(value, 0)) for value, label in RecommendationStatus.choices
    ]
    return render(
        request,
        "public/home.html",
        {
            # Stored and indexed (Case.last_public_change): the cost is that of five rows.
            "cases": Case.objects.published().order_by("-last_public_change", "title")[:5],
            "appeals": Appeal.objects.published()
            .select_related("issuer")
            .order_by("-date", "-id")[:5],
            "tracker": tracker,
            "tracker_total": sum(statuses.values()),
            "tracker_overdue": Recommendation.objects.published().overdue(today).count(),
        },
    )


@safe
def case_list(request):
    cases = Case.objects.published().prefetch_related(
        Prefetch(
            "defender_links",
            queryset=CaseDefender.objects.filter(role=CaseDefender.Role.SUBJECT).select_related(
                "defender"
            ),
        )
    )
    context, status = _filtered_page(
        request, CaseFilter(request.GET, queryset=cases), CASES_PER_PAGE
    )
    return render(request, "public/case_list.html", context, status=status)


@safe
def case_detail(request, slug):
    case = get_object_or_404(Case.objects.published(), slug=slug)
    defender_links = case.defender_links.select_related("defender")
    # Into plain lists (to_attr): a timeline has hundreds of alerts, and a related manager
    # and a cloned queryset per alert and relation cost more than the rows themselves.
    alerts = list(
        Alert.objects.published()
        .filter(case=case)
        # What the timeline prints, and no more: each timestamp left out is one datetime
        # fewer to parse per alert.
        .only(*TIMELINE_FIELDS)
        .select_related("appeal")
        .prefetch_related(
            Prefetch("citations", queryset=_public_citations(), to_attr="public_citations"),
            Prefetch("authorities", to_attr="authority_list"),
        )
    )
    for alert in alerts:
        # The case is published: its appeal is public once published itself.
        appeal = alert.appeal
        alert.public_appeal = appeal if appeal and appeal.state == Appeal.State.PUBLISHED else None
    appeals = list(
        Appeal.objects.published()
        .filter(case=case)
        .select_related("issuer")
        .annotate(addressee_count=Count("addressees", distinct=True))
    )
    today = timezone.localdate()
    recommendations = _with_public_links(
        _shown_recommendations(today).filter(case=case).order_by("target_state", "issued_on", "id")
    )
    sources = _number_sources(
        [c for alert in alerts for c in alert.public_citations]
        + [c for r in recommendations for u in r.updates.all() for c in u.citations.all()]
    )
    return render(
        request,
        "public/case_detail.html",
        {
            "case": case,
            "defender_links": defender_links,
            "alerts": alerts,
            "timeline": render_timeline(alerts),
            "appeals": appeals,
            "recommendations": recommendations,
            "sources": sources,
            "related_cases": case.related_cases.published(),
            "latest_alert": alerts[-1] if alerts else None,
            "last_updated": case.last_public_change,
            "open_appeals": [
                appeal
                for appeal in appeals
                if appeal.addressee_count and not appeal.action_is_closed(today)
            ],
        },
    )


def _number_sources(citations):
    """Number the sources in the order the page first cites them; tag each citation."""
    numbers = {}
    for citation in citations:
        citation.number = numbers.setdefault(citation.source_id, len(numbers) + 1)
    by_id = {c.source_id: c.source for c in citations}
    return [(number, by_id[source_id]) for source_id, number in numbers.items()]


@safe
def appeal_list(request):
    appeals = Appeal.objects.published().select_related("issuer", "case")
    context, status = _filtered_page(
        request, AppealFilter(request.GET, queryset=appeals), APPEALS_PER_PAGE
    )
    return render(request, "public/appeal_list.html", context, status=status)


def _published_appeal(pk):
    return get_object_or_404(
        Appeal.objects.published().select_related("case", "issuer", "parent"), pk=pk
    )


@safe
def appeal_detail(request, pk):
    appeal = _published_appeal(pk)
    return render(request, "public/appeal_detail.html", appeal_page_context(appeal))


def appeal_page_context(appeal, *, preview=False):
    """What the appeal's page shows: the appeal, its parts, and what a reader can do."""
    parts = appeal.page_parts()
    requested_actions = list(parts["requested_actions"])
    addressees = list(parts["addressees"])
    letter_language = letters.letter_language(appeal, requested_actions, addressees)
    with translation.override(letter_language):
        body = letters.default_body(appeal, requested_actions)
        subject = letters.subject(appeal)
        for addressee in addressees:
            addressee.mailto = letters.mailto(addressee, appeal, body)
    reports = 0
    if addressees and not preview:
        reports = (
            ActionTally.objects.filter(appeal=appeal, addressee__isnull=True)
            .values_list("count", flat=True)
            .first()
        ) or 0
    return {
        "appeal": appeal,
        "case": appeal.case,
        **parts,
        "requested_actions": requested_actions,
        "addressees": addressees,
        "action_closed": appeal.action_is_closed(),
        "letter_body": body,
        "letter_subject": subject,
        "letter_language": letter_language,
        "letter_max_chars": letters.LETTER_MAX_CHARS,
        "reports": reports,
        "preview": preview,
    }


@csrf_exempt  # renders a letter from what the reader typed; stores and changes nothing
@allow("GET", "HEAD", "POST")
def appeal_letters(request, pk):
    """
    The model letter, one per addressee, one per printed page. A POST carries the letter the
    reader edited on the appeal page: it comes back as printable letters and e-mail links,
    is never stored, and the page is not cached anywhere.
    """
    appeal = _published_appeal(pk)
    addressees = list(appeal.addressees.select_related("authority"))
    if not addressees:
        raise Http404(_("This appeal names no one to write to."))
    requested_actions = list(appeal.requested_actions.all())
    status = 200
    with translation.override(letters.letter_language(appeal, requested_actions, addressees)):
        if request.method == "POST":
            body = letters.clean_body(request.POST.get("body"))
            if body is None:
                status = 400
                body = letters.default_body(appeal, requested_actions)
            edited = True
        else:
            body = letters.default_body(appeal, requested_actions)
            edited = False
        subject = letters.subject(appeal)
        for addressee in addressees:
            addressee.letter = letters.letter(addressee, body)
            addressee.mailto = letters.mailto(addressee, appeal, body)
    response = render(
        request,
        "public/appeal_letters.html",
        {
            "appeal": appeal,
            "case": appeal.case,
            "addressees": addressees,
            "subject": subject,
            "edited": edited,
            "letter_error": status == 400,
            "letter_max_chars": letters.LETTER_MAX_CHARS,
        },
        status=status,
    )
    if edited:
        patch_cache_control(response, no_store=True, private=True)
    return response


@csrf_exempt  # anonymous and stores nothing about the reader; cross-site posts are refused
@allow("POST")
def appeal_report(request, pk):
    """A reader says they wrote: one more report, one more letter per addressee they ticked."""
    appeal = _published_appeal(pk)
    if request.headers.get("Sec-Fetch-Site") == "cross-site" or (
        "Origin" in request.headers
        and request.headers["Origin"] != request.build_absolute_uri("/").rstrip("/")
    ):
        return render(
            request, "public/report_done.html", {"appeal": appeal, "refused": True}, status=403
        )
    addressees = {a.pk: a for a in appeal.addressees.select_related("authority")}
    if not addressees or appeal.action_is_closed():
        raise Http404(_("This appeal does not ask readers to act now."))
    chosen = []
    for value in request.POST.getlist("addressee")[: len(addressees)]:
        if value.isdigit() and int(value) in addressees:
            chosen.append(addressees[int(value)])
    if not chosen:
        context = appeal_page_context(appeal)
        context["report_error"] = _("Tick at least one authority you wrote to.")
        return render(request, "public/appeal_detail.html", context, status=400)
    if not letters.allow_report(request, appeal):
        response = render(
            request, "public/report_done.html", {"appeal": appeal, "too_many": True}, status=429
        )
        response["Retry-After"] = "3600"
        return response
    letters.record_report(appeal, list(dict.fromkeys(chosen)))
    response = render(
        request, "public/report_done.html", {"appeal": appeal, "letters": len(set(chosen))}
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


@safe
def recommendation_list(request):
    today = timezone.localdate()
    published = Recommendation.objects.published()
    summary = _tracker_summary(published, today)
    recommendations = (
        _shown_recommendations(today)
        .select_related("case")
        .order_by("target_state", "-issued_on", "id")
    )
    filterset = RecommendationFilter(request.GET, queryset=recommendations, today=today)
    context, status = _filtered_page(request, filterset, RECOMMENDATIONS_PER_PAGE)
    if context["page"] is not None:
        _with_public_links(context["page"].object_list)
    context.update(
        summary=summary,
        overdue_count=filterset.overdue_count(),
        statuses=RecommendationStatus.choices,
    )
    return render(request, "public/recommendation_list.html", context, status=status)


def _shown_recommendations(today):
    """Published recommendations with what _recommendation.html shows of each."""
    return (
        Recommendation.objects.published()
        .with_is_overdue(today)
        .select_related("issuer", "target_authority", "appeal__case", "source")
        .prefetch_related(
            "co_issuers",
            Prefetch(
                "updates",
                queryset=RecommendationUpdate.objects.prefetch_related(
                    Prefetch("citations", queryset=_public_citations())
                ),
            ),
        )
    )


def _with_public_links(recommendations):
    """
    The recommendations as a list, each with `public_source` and `public_appeal`: the record
    may point at a private source or a withdrawn appeal, and the page names neither.
    """
    recommendations = list(recommendations)
    for recommendation in recommendations:
        source = recommendation.source
        recommendation.public_source = source if source and source.is_public else None
        appeal = recommendation.appeal
        recommendation.public_appeal = appeal if appeal and appeal.is_published() else None
        # The source's own words, unless they come from a source that is not public (an
        # internal testimony): its words could identify a witness.
        recommendation.public_quote = (
            recommendation.quote if source is None or source.is_public else ""
        )
    return recommendations


def _tracker_summary(published, today):
    """Per government: how many recommendations are in each status, and how many overdue."""
    counts = (
        published.order_by()
        .values_list("target_state", "current_status")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_condition(today)))
    )
    rows = {}
    for code, status, n, overdue in counts:
        row = rows.setdefault(
            code, {"code": code, "name": countries.name(code), "total": 0, "overdue": 0}
        )
        row[status] = n
        row["total"] += n
        row["overdue"] += overdue
    for row in rows.values():
        row["cells"] = [row.get(value, 0) for value in RecommendationStatus.values]
    return sorted(rows.values(), key=lambda row: row["name"])


@safe
def defender_detail(request, slug):
    # A protected defender has no page of their own: the slug is typed by staff and may
    # carry the real name. Case pages show the public name only.
    defender = get_object_or_404(
        Defender.objects.published().filter(identity_protected=False), slug=slug
    )
    return render(
        request,
        "public/defender_detail.html",
        {
            "defender": defender,
            "case_links": CaseDefender.objects.filter(
                defender=defender, case__in=Case.objects.published()
            ).select_related("case"),
            "aliases": defender.aliases.all(),
        },
    )


def country_or_404(code):
    code = code.upper()
    if len(code) != 2 or code not in countries:
        raise Http404(_("No such country."))
    return code, countries.name(code)


def cases_concerning(code):
    """Published cases whose state of concern is `code` or that involve it."""
    # other_states holds comma-separated two-letter codes: a two-letter match is one code.
    return Case.objects.published().filter(
        Q(state_of_concern=code) | Q(other_states__contains=code)
    )


@safe
def country_list(request):
    published = Case.objects.published()
    concern = dict(published.order_by().values_list("state_of_concern").annotate(n=Count("pk")))
    involved = {}
    for states in published.values_list("other_states", flat=True):
        for code in states.split(",") if isinstance(states, str) else map(str, states):
            if code:
                involved[code] = involved.get(code, 0) + 1
    targeted = dict(
        Recommendation.objects.published()
        .order_by()
        .values_list("target_state")
        .annotate(n=Count("pk"))
    )
    rows = [
        {
            "code": code,
            "name": countries.name(code),
            "concern": concern.get(code, 0),
            "involved": involved.get(code, 0),
            "recommendations": targeted.get(code, 0),
        }
        for code in set(concern) | set(involved) | set(targeted)
    ]
    return render(
        request,
        "public/country_list.html",
        {"countries": sorted(rows, key=lambda row: row["name"])},
    )


@safe
def country_detail(request, code):
    code, name = country_or_404(code)
    cases = cases_concerning(code)
    recommendations = (
        Recommendation.objects.published()
        .filter(target_state=code)
        .select_related("issuer", "target_authority", "case")
        .order_by("-issued_on", "id")
    )
    return render(
        request,
        "public/country_detail.html",
        {
            "code": code,
            "name": name,
            "cases": cases,
            "appeals": Appeal.objects.published()
            .filter(case__in=cases)
            .select_related("issuer", "case")
            .order_by("-date", "-id"),
            "recommendations": recommendations,
        },
    )


def _cited_source_rows():
    """
    (source, case slug, case title) for every public source that a published page cites:
    a published alert, an update of a published recommendation, or a recommendation itself.
    A public source cited only in drafts stays off the list: its title could announce a case
    that staff have not published yet.
    """
    # The case's title in the reader's language (the original where it has none).
    alerts = (
        Citation.objects.filter(
            source__is_public=True,
            alert__published_at__isnull=False,
            alert__case__published_at__isnull=False,
        )
        .annotate(case_title=in_language("alert__case__title"))
        .values_list("source_id", "alert__case__slug", "case_title")
    )
    # No ORDER BY: the three are combined with UNION.
    updates = (
        Citation.objects.filter(
            source__is_public=True,
            recommendation_update__recommendation__case__published_at__isnull=False,
        )
        .annotate(case_title=in_language("recommendation_update__recommendation__case__title"))
        .values_list("source_id", "recommendation_update__recommendation__case__slug", "case_title")
    )
    recommendations = (
        Recommendation.objects.published()
        .rewrite(False)
        .filter(source__is_public=True)
        .annotate(case_title=in_language("case__title"))
        .values_list("source_id", "case__slug", "case_title")
    )
    return alerts.order_by(), updates.order_by(), recommendations.order_by()


@safe
def source_list(request):
    alerts, updates, recommendations = _cited_source_rows()
    # published() reads a stored, indexed flag: the cost is that of one page of rows.
    sources = (
        Source.objects.published()
        .select_related("publisher")
        .order_by(F("date").desc(nulls_last=True), "title", "pk")
    )
    page, notice = _paginate(request, sources, SOURCES_PER_PAGE)
    ids = [source.pk for source in page.object_list]
    cited_in = {}
    rows = (
        alerts.filter(source_id__in=ids)
        .union(updates.filter(source_id__in=ids), recommendations.filter(source_id__in=ids))
        .order_by()
    )
    for source_id, slug, title in rows:
        cited_in.setdefault(source_id, {})[slug] = title
    for source in page.object_list:
        source.cases = sorted(cited_in.get(source.pk, {}).items(), key=lambda item: item[1])
    return render(request, "public/source_list.html", {"page": page, "page_notice": notice})


@safe
def search(request):
    context, status = site_search.search_page(request.GET, public=True)
    return render(request, "public/search.html", context, status=status)


@safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Filter combinations are endless; every page they lead to is in the sitemap.
        "Disallow: /*?",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@safe
def source_file(request, pk):
    """The file of a public source whose file is public; anything else does not exist here."""
    source = get_object_or_404(Source.objects.with_public_file(), pk=pk)
    return files.file_response(source, public=True)


@safe
def page_detail(request, slug):
    """About, contact, privacy: the pages staff write and publish."""
    page = get_object_or_404(Page.objects.published(), slug=slug)
    return render(request, "public/page.html", {"page": page})


@safe
def how_we_verify(request):
    return render(request, "public/how_we_verify.html")


# The site's icon, served at the address browsers ask for whatever a page says: without it
# every first visit logs a 404.
FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"


@safe
def favicon(request):
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response
