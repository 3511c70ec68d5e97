"""
The public site. Every view starts from a `published()` queryset: an object that is not
published is a 404, whoever asks.
"""

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, render

from .models import (
    Alert,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Recommendation,
    RecommendationUpdate,
)

CASES_PER_PAGE = 20


def _public_citations():
    """Citations whose source may be shown; a private source is never named publicly."""
    return Citation.objects.filter(source__is_public=True).select_related("source__publisher")


def home(request):
    return render(
        request,
        "cases/home.html",
        {
            "cases": Case.objects.published().order_by("-updated_at")[:5],
            "appeals": Appeal.objects.published()
            .select_related("issuer")
            .order_by("-date", "-id")[:5],
        },
    )


def case_list(request):
    cases = Case.objects.published().prefetch_related(
        Prefetch(
            "defender_links",
            queryset=CaseDefender.objects.filter(role=CaseDefender.Role.SUBJECT).select_related(
                "defender"
            ),
        )
    )
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {"page": page})


def case_detail(request, slug):
    case = get_object_or_404(Case.objects.published(), slug=slug)
    defender_links = case.defender_links.select_related("defender")
    alerts = list(
        Alert.objects.published()
        .filter(case=case)
        .prefetch_related(Prefetch("citations", queryset=_public_citations()))
    )
    appeals = Appeal.objects.published().filter(case=case).select_related("issuer")
    recommendations = (
        Recommendation.objects.published()
        .filter(case=case)
        .with_status()
        .select_related("issuer", "target_authority")
        .prefetch_related(
            "co_issuers",
            Prefetch(
                "updates",
                queryset=RecommendationUpdate.objects.prefetch_related(
                    Prefetch("citations", queryset=_public_citations())
                ),
            ),
        )
        .order_by("target_state", "issued_on", "id")
    )
    recommendations = list(recommendations)
    sources = _number_sources(
        [c for alert in alerts for c in alert.citations.all()]
        + [c for r in recommendations for u in r.updates.all() for c in u.citations.all()]
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "defender_links": defender_links,
            "alerts": alerts,
            "appeals": appeals,
            "recommendations": recommendations,
            "sources": sources,
        },
    )


def _number_sources(citations):
    """Number the sources in the order the page first cites them; tag each citation."""
    numbers = {}
    for citation in citations:
        citation.number = numbers.setdefault(citation.source_id, len(numbers) + 1)
    by_id = {c.source_id: c.source for c in citations}
    return [(number, by_id[source_id]) for source_id, number in numbers.items()]


def appeal_detail(request, pk):
    appeal = get_object_or_404(
        Appeal.objects.published().select_related("case", "issuer", "parent"), pk=pk
    )
    return render(request, "cases/appeal_detail.html", appeal_page_context(appeal))


def appeal_page_context(appeal, *, preview=False):
    """
    What the appeal page shows. The public view passes a published appeal; the staff preview
    passes a draft, and the chain then still lists only what is published.
    """
    root = appeal.root
    chain = (
        Appeal.objects.published()
        .filter(Q(pk=root.pk) | Q(parent=root))
        .order_by("follow_up_number", "date", "id")
    )
    return {
        "appeal": appeal,
        "case": appeal.case,
        "co_signers": appeal.co_signers.all(),
        "requested_actions": appeal.requested_actions.select_related("target_authority"),
        "addressees": appeal.addressees.select_related("authority"),
        "violation_types": appeal.violation_types.all(),
        "chain": chain,
        "preview": preview,
    }
