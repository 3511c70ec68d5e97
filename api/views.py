"""
The public API: read-only views of the published record. Every queryset starts from the
model's `published()`, as the public pages do (public/views.py), and the lists take the
public site's own filters (public/filters.py). Each view declares what it reads
(`select_related` / `prefetch_related`), so a page of results costs the same number of
queries whatever the size of the observatory or of a case.

Every answer carries an ETag (of its body, as the page cache makes it) and Last-Modified (the
last change the public saw); a conditional request gets a 304. Anonymous answers go through
the page cache like the public pages (public/cache.py): `cache_parameters` says which query
parameters a view reads, so that only those URLs are stored.
"""

import functools
import hashlib

import django_filters
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from cases.models import (
    Alert,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Recommendation,
    RecommendationUpdate,
    Source,
    ViolationType,
)
from public.cache import last_public_change
from public.filters import AppealFilter, CaseFilter, RecommendationFilter

from . import serializers


class Cursor(CursorPagination):
    """Pages in a fixed order, by the record's number: a mirror follows `next` to the end,
    and records published meanwhile come on later pages, never shifting earlier ones."""

    ordering = "pk"
    page_size_query_param = None

    def get_page_size(self, request):
        from django.conf import settings

        return settings.API_PAGE_SIZE


class PublicFilterBackend(DjangoFilterBackend):
    """The public site's filters: an unknown value is a 400 that says what is wrong."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs.update(getattr(view, "filterset_extra", lambda: {})())
        return kwargs


def conditional(view):
    """
    ETag and Last-Modified on every successful answer, and 304 to a conditional request.
    The ETag is the page cache's (public/cache.py): the same body has the same tag, cached or
    not.
    """

    @functools.wraps(view)
    def answered(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if hasattr(response, "render"):
            response.render()
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        changed = last_public_change()
        if changed is not None:
            response["Last-Modified"] = http_date(changed.timestamp())
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(changed.timestamp()) if changed is not None else None,
            response=response,
        )

    return answered


class PublicView:
    filter_backends = [PublicFilterBackend]
    pagination_class = Cursor

    @classmethod
    def as_view(cls, **initkwargs):
        view = conditional(super().as_view(**initkwargs))
        view.cache_parameters = cls.cache_parameters()
        return view

    @classmethod
    def cache_parameters(cls):
        filterset = getattr(cls, "filterset_class", None)
        names = set(filterset.base_filters) if filterset else set()
        return names | ({"cursor"} if cls.pagination_class else set())


class PublicList(PublicView, generics.ListAPIView):
    pass


class PublicDetail(PublicView, generics.RetrieveAPIView):
    pagination_class = None
    filter_backends = []


def _public_citations():
    """Citations of public sources: a private source is never named (public/views.py)."""
    return Citation.objects.filter(source__is_public=True).select_related("source")


@extend_schema_field({"type": "string", "enum": [code for code, _name in countries]})
class CountryFilter(django_filters.ChoiceFilter):
    """A country code; the schema lists them (a filter by method says no type of its own)."""


class ApiCaseFilter(CaseFilter):
    other_state = CountryFilter(
        label=CaseFilter.base_filters["other_state"].label,
        choices=CaseFilter.base_filters["other_state"].extra["choices"],
        method="filter_other_state",
    )


# --- Cases ---------------------------------------------------------------------------------


class CaseQueries:
    serializer_class = serializers.CaseSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Case.objects.published().prefetch_related(
            "violation_types",
            Prefetch(
                "defender_links",
                queryset=CaseDefender.objects.select_related("defender").order_by("position", "id"),
            ),
            Prefetch(
                "related_cases",
                queryset=Case.objects.published().order_by("title"),
                to_attr="public_related_cases",
            ),
        )


@extend_schema(summary="Published cases", tags=["cases"])
class CaseList(CaseQueries, PublicList):
    """Published cases, filtered as on the site's case list (the `q` search included)."""

    filterset_class = ApiCaseFilter


@extend_schema(summary="A published case", tags=["cases"])
class CaseDetail(CaseQueries, PublicDetail):
    """A published case: its defenders (a protected one by the public name only), violation
    types, related published cases, and links to its timeline, appeals and recommendations."""


# --- Alerts --------------------------------------------------------------------------------


class AlertFilter(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(
        label=_("Case (its slug)"), queryset=Case.objects.published(), to_field_name="slug"
    )
    kind = django_filters.ChoiceFilter(choices=Alert.Kind.choices)

    class Meta:
        model = Alert
        fields = []


class AlertQueries:
    serializer_class = serializers.AlertSerializer

    def get_queryset(self):
        return (
            Alert.objects.published()
            .select_related("case", "appeal__case")
            .prefetch_related(
                "authorities",
                "defenders",
                Prefetch("citations", queryset=_public_citations(), to_attr="public_citations"),
            )
        )


@extend_schema(summary="Published alerts (timelines)", tags=["alerts"])
class AlertList(AlertQueries, PublicList):
    """Published alerts of published cases; `case` gives one case's timeline."""

    filterset_class = AlertFilter


@extend_schema(summary="A published alert", tags=["alerts"])
class AlertDetail(AlertQueries, PublicDetail):
    pass


# --- Appeals -------------------------------------------------------------------------------


class AppealFilterWithCase(AppealFilter):
    case = django_filters.ModelChoiceFilter(
        label=_("Case (its slug)"), queryset=Case.objects.published(), to_field_name="slug"
    )


class AppealQueries:
    serializer_class = serializers.AppealSerializer

    def get_queryset(self):
        return (
            Appeal.objects.published()
            .select_related("case", "parent__case", "issuer")
            .prefetch_related(
                "co_signers",
                "violation_types",
                "requested_actions__target_authority",
                "addressees__authority",
            )
        )


@extend_schema(summary="Published appeals", tags=["appeals"])
class AppealList(AppealQueries, PublicList):
    """Published appeals, filtered as on the site's appeal list, and by case."""

    filterset_class = AppealFilterWithCase


@extend_schema(summary="A published appeal", tags=["appeals"])
class AppealDetail(AppealQueries, PublicDetail):
    """An appeal with its reference code, requested actions and addressees."""


# --- Recommendations -----------------------------------------------------------------------


class RecommendationQueries:
    serializer_class = serializers.RecommendationSerializer

    def get_queryset(self):
        return (
            Recommendation.objects.published()
            # The appeal and its case in a query of their own: joined with the five others,
            # the page's query took PostgreSQL 5 ms to plan (1 ms without them), at any size.
            .select_related("case", "target_authority", "issuer", "source")
            .prefetch_related(
                Prefetch("appeal", queryset=Appeal.objects.select_related("case")),
                "co_issuers",
                Prefetch(
                    "updates",
                    queryset=RecommendationUpdate.objects.order_by("date", "id").prefetch_related(
                        Prefetch(
                            "citations", queryset=_public_citations(), to_attr="public_citations"
                        )
                    ),
                ),
            )
        )


@extend_schema(summary="Recommendations of published cases", tags=["recommendations"])
class RecommendationList(RecommendationQueries, PublicList):
    """The tracker's recommendations with their dated updates, filtered as on the tracker."""

    filterset_class = RecommendationFilter

    def filterset_extra(self):
        return {"today": timezone.localdate()}


@extend_schema(summary="A recommendation", tags=["recommendations"])
class RecommendationDetail(RecommendationQueries, PublicDetail):
    pass


# --- Defenders, sources, vocabularies, countries -------------------------------------------


class DefenderQueries:
    serializer_class = serializers.DefenderSerializer
    lookup_field = "slug"

    def get_queryset(self):
        # A protected defender has no public profile (public/views.py): not here either.
        return (
            Defender.objects.published()
            .filter(identity_protected=False)
            .prefetch_related(
                "aliases",
                Prefetch(
                    "cases",
                    queryset=Case.objects.published().order_by("title"),
                    to_attr="public_cases",
                ),
            )
        )


@extend_schema(summary="Defenders' public profiles", tags=["defenders"])
class DefenderList(DefenderQueries, PublicList):
    """Defenders named in published cases whose identity is not protected."""


@extend_schema(summary="A defender's public profile", tags=["defenders"])
class DefenderDetail(DefenderQueries, PublicDetail):
    pass


class SourceQueries:
    serializer_class = serializers.SourceSerializer

    def get_queryset(self):
        return Source.objects.published().select_related("publisher")


@extend_schema(summary="Public sources cited on published pages", tags=["sources"])
class SourceList(SourceQueries, PublicList):
    pass


@extend_schema(summary="A public source", tags=["sources"])
class SourceDetail(SourceQueries, PublicDetail):
    pass


class ViolationTypeQueries:
    serializer_class = serializers.ViolationTypeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return ViolationType.objects.all()


@extend_schema(summary="Violation types", tags=["vocabularies"])
class ViolationTypeList(ViolationTypeQueries, PublicList):
    pass


@extend_schema(summary="A violation type", tags=["vocabularies"])
class ViolationTypeDetail(ViolationTypeQueries, PublicDetail):
    pass


@extend_schema(
    summary="States concerned by published cases",
    tags=["countries"],
    responses=serializers.CountrySerializer(many=True),
)
class CountryList(PublicView, generics.GenericAPIView):
    """Every state of concern of a published case, with how many (one list, not paged)."""

    pagination_class = None
    filter_backends = []
    serializer_class = serializers.CountrySerializer

    def get_queryset(self):
        return Case.objects.published()

    def get(self, request):
        rows = (
            self.get_queryset().order_by().values_list("state_of_concern").annotate(n=Count("pk"))
        )
        url = request.build_absolute_uri(reverse("api:case-list"))
        data = sorted(
            (
                {
                    "code": code,
                    "name": str(countries.name(code) or code),
                    "cases": n,
                    "cases_url": f"{url}?state={code}",
                }
                for code, n in rows
            ),
            key=lambda row: row["name"],
        )
        return Response(serializers.CountrySerializer(data, many=True).data)
