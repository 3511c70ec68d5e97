"""
Filters of the public lists. Every value a reader can pick is validated by the filter's form:
an unknown value is a form error shown on the page, never a 500. Each filter also counts how
many results each of its values would give, among the results of the other filters (one
query per filter, whatever the number of rows).
"""

from collections import Counter
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases import disclosure
from cases import search as site_search
from cases.models import (
    Appeal,
    Authority,
    Case,
    CaseDefender,
    Defender,
    Organisation,
    Recommendation,
    RecommendationStatus,
    ViolationType,
)

# Long enough for any name or phrase; a longer query is a form error, not a slow scan.
QUERY_MAX_LENGTH = 200
# How many cases the tracker's case filter offers: those with the most recommendations.
CASE_FACET_SIZE = 50
# A value no published record has is unknown, whatever it names in the database.
UNKNOWN = {"invalid_choice": _("Unknown: no published record has this value.")}
# Years outside this range are typing mistakes, not observatory history.
YEAR_RANGE = {"min_value": 1900, "max_value": 2100}


def _country_choices():
    return list(countries)


def _country_label(code):
    return countries.name(code) or code


@dataclass
class Option:
    value: str
    label: str
    count: int


@dataclass
class Facet:
    """One filter as the page draws it: a labelled <select> whose options carry counts."""

    name: str
    label: str
    options: list
    selected: str


class YearFilter(django_filters.NumberFilter):
    # A year is a whole number: '2019.5' or '20x9' is a form error, not a lookup.
    field_class = forms.IntegerField


class FacetedFilterSet(django_filters.FilterSet):
    # Filters drawn as a <select> with counts; each has a `count_<name>(queryset)` method that
    # returns (value, label, count) tuples.
    facet_names = ()

    def _filtered_except(self, skip):
        """The results of every valid filter but `skip`: what the counts of `skip` count."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != skip:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def facets(self):
        self.is_valid()  # validates the form, so that cleaned_data holds only valid values
        result = []
        for name in self.facet_names:
            counts = getattr(self, f"count_{name}")(self._filtered_except(name).order_by())
            options = [Option(str(value), label, n) for value, label, n in counts if value]
            selected = str(self.form.cleaned_data.get(name) or "")
            if selected and hasattr(self.form.cleaned_data[name], "pk"):
                selected = str(self.form.fields[name].prepare_value(self.form.cleaned_data[name]))
            if selected and selected not in {option.value for option in options}:
                # A valid value that no result has: still shown, so the form says what is applied.
                options.append(Option(selected, self._label_of(name, selected), 0))
            result.append(Facet(name, self.filters[name].label, options, selected))
        return result

    def _label_of(self, name, value):
        field = self.form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            return str(self.form.cleaned_data[name])
        return str(dict(getattr(field, "choices", ())).get(value, value))

    def error_messages(self):
        """'State of concern: Select a valid choice…', one line per invalid filter."""
        messages = []
        for name, errors in self.errors.items():
            label = self.filters[name].label if name in self.filters else name
            messages.extend(f"{label}: {error}" for error in errors)
        return messages

    def is_filtered(self):
        return any(self.data.get(name) for name in self.filters)


class CaseFilter(FacetedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", max_length=QUERY_MAX_LENGTH, strip=True
    )
    state = django_filters.ChoiceFilter(
        label=_("State of concern"), field_name="state_of_concern", choices=_country_choices
    )
    other_state = django_filters.ChoiceFilter(
        label=_("Other state involved"), choices=_country_choices, method="filter_other_state"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices)
    violation = django_filters.ModelChoiceFilter(
        label=_("Violation"),
        field_name="violation_types",
        queryset=ViolationType.objects.all(),
        to_field_name="slug",
    )
    profession = django_filters.ChoiceFilter(
        label=_("Defender's profession"),
        choices=[c for c in Defender.Profession.choices if c[0]],
        method="filter_profession",
    )
    year = YearFilter(
        label=_("Year opened"), field_name="opened_on", lookup_expr="year", **YEAR_RANGE
    )

    facet_names = ("state", "other_state", "status", "violation", "profession", "year")

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._matches = None  # (query, ids of the matching cases), searched once

    def search(self, queryset, name, value):
        # One search (cases/search.py: full-text and trigram on PostgreSQL), run once for the
        # list and every facet count. Aliases and real names of a protected defender are never
        # searched: a hit would confirm a real name to anyone who types it.
        if self._matches is None or self._matches[0] != value:
            try:
                query = site_search.clean_query(value)
            except site_search.SearchError:
                query = ""
            ids = site_search.matching_case_ids(query) if query else set()
            self._matches = (value, ids)
        return queryset.filter(pk__in=self._matches[1])

    def filter_other_state(self, queryset, name, value):
        # Stored as comma-separated two-letter codes, so a two-letter match is one code.
        return queryset.filter(other_states__contains=value)

    def filter_profession(self, queryset, name, value):
        return queryset.filter(
            pk__in=_public_professions().filter(defender__profession=value).values("case_id")
        )

    def count_state(self, queryset):
        rows = queryset.values_list("state_of_concern").annotate(n=Count("pk"))
        return sorted(((c, _country_label(c), n) for c, n in rows), key=lambda r: r[1])

    def count_other_state(self, queryset):
        # Grouped by the stored list first: a few hundred distinct lists to split, not a row
        # per case.
        counts = Counter()
        rows = queryset.exclude(other_states="").values_list("other_states").annotate(n=Count("pk"))
        for states, n in rows:
            codes = states.split(",") if isinstance(states, str) else [str(s) for s in states]
            for code in codes:
                if code:
                    counts[code] += n
        return sorted(((c, _country_label(c), n) for c, n in counts.items()), key=lambda r: r[1])

    def count_status(self, queryset):
        counts = dict(queryset.values_list("status").annotate(n=Count("pk")))
        return [
            (value, label, counts[value]) for value, label in Case.Status.choices if value in counts
        ]

    def count_violation(self, queryset):
        return (
            ViolationType.objects.filter(cases__in=queryset)
            .annotate(n=Count("cases"))
            .values_list("slug", "name", "n")
        )

    def count_profession(self, queryset):
        counts = dict(
            _public_professions()
            .filter(case__in=queryset)
            .values_list("defender__profession")
            .annotate(n=Count("case", distinct=True))
            .order_by()
        )
        return [
            (value, label, counts[value])
            for value, label in Defender.Profession.choices
            if value in counts
        ]

    def count_year(self, queryset):
        rows = (
            queryset.annotate(year=ExtractYear("opened_on"))
            .values_list("year")
            .annotate(n=Count("pk"))
            .order_by("-year")
        )
        return [(year, str(year), n) for year, n in rows]


def _public_professions():
    """The links of defenders whose profession is public (not that of a protected one)."""
    return CaseDefender.objects.filter(
        disclosure.public_condition(Defender, "profession", prefix="defender__")
    )


def _issuers_of_published_appeals(request=None):
    return Organisation.objects.filter(pk__in=Appeal.objects.published().values("issuer"))


def _targets_of_published_recommendations(request=None):
    return Authority.objects.filter(
        pk__in=Recommendation.objects.published().values("target_authority")
    )


def _issuers_of_published_recommendations(request=None):
    return Organisation.objects.filter(pk__in=Recommendation.objects.published().values("issuer"))


class AppealFilter(FacetedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Appeal.Kind.choices)
    state = django_filters.ChoiceFilter(
        label=_("State of concern"), field_name="case__state_of_concern", choices=_country_choices
    )
    year = YearFilter(label=_("Year"), field_name="date", lookup_expr="year", **YEAR_RANGE)
    # Only what published appeals name: an organisation known from drafts or private
    # sources alone is not shown, nor named in an error.
    issuer = django_filters.ModelChoiceFilter(
        label=_("Issued by"), queryset=_issuers_of_published_appeals, error_messages=UNKNOWN
    )

    facet_names = ("kind", "state", "year", "issuer")

    class Meta:
        model = Appeal
        fields = []

    def count_kind(self, queryset):
        counts = dict(queryset.values_list("kind").annotate(n=Count("pk")))
        return [
            (value, label, counts[value]) for value, label in Appeal.Kind.choices if value in counts
        ]

    def count_state(self, queryset):
        rows = queryset.values_list("case__state_of_concern").annotate(n=Count("pk"))
        return sorted(((c, _country_label(c), n) for c, n in rows), key=lambda r: r[1])

    def count_year(self, queryset):
        rows = (
            queryset.annotate(year=ExtractYear("date"))
            .values_list("year")
            .annotate(n=Count("pk"))
            .order_by("-year")
        )
        return [(year, str(year), n) for year, n in rows]

    def count_issuer(self, queryset):
        rows = queryset.values_list("issuer", "issuer__name", "issuer__acronym").annotate(
            n=Count("pk")
        )
        return sorted(
            ((pk, acronym or name, n) for pk, name, acronym, n in rows), key=lambda r: r[1]
        )


class OverdueFilter(django_filters.BooleanFilter):
    # A checkbox: ticked means overdue only; unticked means no filter.
    field_class = forms.BooleanField


class RecommendationFilter(FacetedFilterSet):
    """Filters the tracker."""

    state = django_filters.ChoiceFilter(
        label=_("Government"), field_name="target_state", choices=_country_choices
    )
    authority = django_filters.ModelChoiceFilter(
        label=_("Authority"),
        field_name="target_authority",
        queryset=_targets_of_published_recommendations,
        error_messages=UNKNOWN,
    )
    issuer = django_filters.ModelChoiceFilter(
        label=_("Made by"),
        queryset=_issuers_of_published_recommendations,
        error_messages=UNKNOWN,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), field_name="current_status", choices=RecommendationStatus.choices
    )
    case = django_filters.ModelChoiceFilter(
        label=_("Case"),
        queryset=Case.objects.published(),
        to_field_name="slug",
        error_messages=UNKNOWN,
    )
    overdue = OverdueFilter(label=_("Overdue only"), method="filter_overdue")

    facet_names = ("state", "status", "authority", "issuer", "case")

    class Meta:
        model = Recommendation
        fields = []

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.overdue(self.today)

    def overdue_count(self):
        self.is_valid()
        return self.filter_overdue(self._filtered_except("overdue"), "overdue", True).count()

    def count_state(self, queryset):
        rows = queryset.values_list("target_state").annotate(n=Count("pk"))
        return sorted(((c, _country_label(c), n) for c, n in rows), key=lambda r: r[1])

    def count_status(self, queryset):
        counts = dict(queryset.values_list("current_status").annotate(n=Count("pk")))
        return [
            (value, label, counts[value])
            for value, label in RecommendationStatus.choices
            if value in counts
        ]

    def count_authority(self, queryset):
        # Counted by id, then named: grouping every recommendation by the authority's name and
        # country as well costs twice as much at scale.
        counts = dict(
            queryset.filter(target_authority__isnull=False)
            .values_list("target_authority")
            .annotate(n=Count("pk"))
        )
        names = Authority.objects.filter(pk__in=counts).values_list("pk", "name", "country")
        return sorted(
            ((pk, f"{name} ({country})", counts[pk]) for pk, name, country in names),
            key=lambda r: r[1],
        )

    def count_issuer(self, queryset):
        rows = queryset.values_list("issuer", "issuer__name", "issuer__acronym").annotate(
            n=Count("pk")
        )
        return sorted(
            ((pk, acronym or name, n) for pk, name, acronym, n in rows), key=lambda r: r[1]
        )

    def count_case(self, queryset):
        # A large observatory has tens of thousands of cases with recommendations: the list
        # offers the ones with the most (and the one chosen, first), not every case there is.
        # Counted by case id, then named: grouping by slug and title costs twice as much.
        chosen = self.form.cleaned_data.get("case")
        counts = dict(
            queryset.values_list("case")
            .annotate(n=Count("pk"))
            .alias(
                chosen=ExpressionWrapper(
                    Q(case=chosen.pk if chosen else None), output_field=BooleanField()
                )
            )
            .order_by(F("chosen").desc(), "-n", "case")[:CASE_FACET_SIZE]
        )
        names = Case.objects.filter(pk__in=counts).values_list("pk", "slug", "title")
        return sorted(((slug, title, counts[pk]) for pk, slug, title in names), key=lambda r: r[1])
