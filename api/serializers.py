"""
What the API shows of each resource. The model fields come from the disclosure declaration
(api/disclosed.py); here are only the relations and links, each to a record that is public
(a draft appeal, an unpublished case, a private source or a protected defender's profile is
never linked), and the parts the public pages show with a record.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import (
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
    Recommendation,
    RecommendationUpdate,
    RequestedAction,
    Source,
    ViolationType,
)

from .disclosed import DisclosedSerializer, PublicLink


def _case_is_public(case):
    return case.published_at is not None


def _appeal_is_public(appeal):
    return appeal.state == Appeal.State.PUBLISHED and appeal.case.published_at is not None


def _source_is_public(source):
    return source.is_public


def _defender_has_profile(defender):
    return not defender.identity_protected


class PageLink(serializers.SerializerMethodField):
    """The record's public page on the site (absolute)."""

    def __init__(self, **kwargs):
        super().__init__(method_name="get_page", **kwargs)


class WithPage:
    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


# --- Vocabularies and bodies ---------------------------------------------------------------


class ViolationTypeSerializer(DisclosedSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:violationtype-detail", lookup_field="slug"
    )

    class Meta:
        model = ViolationType


class OrganisationSerializer(DisclosedSerializer):
    class Meta:
        model = Organisation


class AuthoritySerializer(DisclosedSerializer):
    class Meta:
        model = Authority


# --- Defenders -----------------------------------------------------------------------------


class DefenderInCaseSerializer(DisclosedSerializer):
    """A defender as a case shows them: a protected one by the public name only, no profile."""

    # Whether an identity is protected, and a protected defender's slug (which may carry the
    # name), are not shown: the public page shows neither.
    api_url = PublicLink(
        "api:defender-detail", _defender_has_profile, lookup_field="slug", source="*"
    )

    class Meta:
        model = Defender
        exclude_public = ("slug", "identity_protected")


class AliasSerializer(DisclosedSerializer):
    class Meta:
        model = Alias


class CaseLinkSerializer(DisclosedSerializer):
    """A published case named by another resource."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:case-detail", lookup_field="slug")

    class Meta:
        model = Case
        fields = ("api_url", "title", "slug")
        exclude_public = (
            "summary",
            "state_of_concern",
            "other_states",
            "status",
            "opened_on",
            "closed_on",
            "closing_reason",
            "published_at",
        )


class DefenderSerializer(WithPage, DisclosedSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:defender-detail", lookup_field="slug"
    )
    page = PageLink()
    aliases = AliasSerializer(many=True, read_only=True)
    cases = CaseLinkSerializer(many=True, read_only=True, source="public_cases")

    class Meta:
        model = Defender
        exclude_public = ("identity_protected",)
        derived = {"public_cases": "cases"}


# --- Cases ---------------------------------------------------------------------------------


class CaseDefenderSerializer(DisclosedSerializer):
    defender = DefenderInCaseSerializer(read_only=True)

    class Meta:
        model = CaseDefender


class CaseSerializer(WithPage, DisclosedSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:case-detail", lookup_field="slug")
    page = PageLink()
    violation_types = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    defenders = CaseDefenderSerializer(many=True, read_only=True, source="defender_links")
    related_cases = CaseLinkSerializer(many=True, read_only=True, source="public_related_cases")
    timeline = serializers.SerializerMethodField()
    appeals = serializers.SerializerMethodField()
    recommendations = serializers.SerializerMethodField()

    class Meta:
        model = Case
        derived = {"public_related_cases": "related_cases"}

    def _list(self, name, case):
        # The three list addresses are the same for every case of a page: made once a page
        # (reverse() and build_absolute_uri() were a tenth of a page's time), not thrice a case.
        lists = self.context.setdefault("case_lists", {})
        if name not in lists:
            lists[name] = self.context["request"].build_absolute_uri(reverse(f"api:{name}-list"))
        return f"{lists[name]}?case={case.slug}"

    @extend_schema_field(OpenApiTypes.URI)
    def get_timeline(self, case):
        """The case's published alerts, in the order of the story."""
        return self._list("alert", case)

    @extend_schema_field(OpenApiTypes.URI)
    def get_appeals(self, case):
        return self._list("appeal", case)

    @extend_schema_field(OpenApiTypes.URI)
    def get_recommendations(self, case):
        return self._list("recommendation", case)


# --- Sources and citations -----------------------------------------------------------------


class SourceSerializer(DisclosedSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail")
    publisher = OrganisationSerializer(read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Source
        # The stored file's address is not a public one: `file_url` is.
        exclude_public = ("file",)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file_url(self, source):
        """The document, when the source and its file are public."""
        if not (source.is_public and source.file_is_public and source.file):
            return None
        return self.context["request"].build_absolute_uri(
            reverse("cases:source_file", args=[source.pk])
        )


class CitationSerializer(DisclosedSerializer):
    source = PublicLink("api:source-detail", _source_is_public)

    class Meta:
        model = Citation


# --- Alerts --------------------------------------------------------------------------------


class AlertSerializer(WithPage, DisclosedSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:alert-detail")
    page = PageLink()
    case = PublicLink("api:case-detail", _case_is_public, lookup_field="slug")
    appeal = PublicLink("api:appeal-detail", _appeal_is_public)
    authorities = AuthoritySerializer(many=True, read_only=True)
    defenders = DefenderInCaseSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True, source="public_citations")

    class Meta:
        model = Alert
        derived = {"public_citations": "citations"}


# --- Appeals -------------------------------------------------------------------------------


class RequestedActionSerializer(DisclosedSerializer):
    target_authority = AuthoritySerializer(read_only=True)

    class Meta:
        model = RequestedAction


class AddresseeSerializer(DisclosedSerializer):
    authority = AuthoritySerializer(read_only=True)

    class Meta:
        model = Addressee


class AppealSerializer(WithPage, DisclosedSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:appeal-detail")
    page = PageLink()
    case = PublicLink("api:case-detail", _case_is_public, lookup_field="slug")
    parent = PublicLink("api:appeal-detail", _appeal_is_public)
    issuer = OrganisationSerializer(read_only=True)
    co_signers = OrganisationSerializer(many=True, read_only=True)
    violation_types = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    requested_actions = RequestedActionSerializer(many=True, read_only=True)
    addressees = AddresseeSerializer(many=True, read_only=True)

    class Meta:
        model = Appeal


# --- Recommendations -----------------------------------------------------------------------


class RecommendationUpdateSerializer(DisclosedSerializer):
    citations = CitationSerializer(many=True, read_only=True, source="public_citations")

    class Meta:
        model = RecommendationUpdate
        derived = {"public_citations": "citations"}


class RecommendationSerializer(DisclosedSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:recommendation-detail")
    case = PublicLink("api:case-detail", _case_is_public, lookup_field="slug")
    target_authority = AuthoritySerializer(read_only=True)
    issuer = OrganisationSerializer(read_only=True)
    co_issuers = OrganisationSerializer(many=True, read_only=True)
    appeal = PublicLink("api:appeal-detail", _appeal_is_public)
    source = PublicLink("api:source-detail", _source_is_public)
    updates = RecommendationUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Recommendation


# --- Countries -----------------------------------------------------------------------------


class CountrySerializer(serializers.Serializer):
    """A state concerned by published cases (a published case's state_of_concern, public)."""

    code = serializers.CharField()
    name = serializers.CharField()
    cases = serializers.IntegerField(help_text=_("How many published cases concern it."))
    cases_url = serializers.URLField(help_text=_("Those cases, in the API."))
