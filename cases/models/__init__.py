"""The domain model of DESIGN.md §2, one module per part, re-exported here."""

from .appeals import ActionTally, Addressee, Appeal, RequestedAction
from .base import DatePrecision, DateQualifier
from .cases import Alert, Case
from .defenders import Alias, CaseDefender, Defender
from .pages import Page
from .publication import PageGeneration, PublicationRequest
from .recommendations import Recommendation, RecommendationStatus, RecommendationUpdate
from .sources import Citation, Source
from .transfers import TransferLog
from .vocabularies import Authority, Organisation, ViolationType

__all__ = [
    "ActionTally",
    "Addressee",
    "Alert",
    "Alias",
    "Appeal",
    "Authority",
    "Case",
    "CaseDefender",
    "Citation",
    "DatePrecision",
    "DateQualifier",
    "Defender",
    "Organisation",
    "Page",
    "PageGeneration",
    "PublicationRequest",
    "Recommendation",
    "RecommendationStatus",
    "RecommendationUpdate",
    "RequestedAction",
    "Source",
    "TransferLog",
    "ViolationType",
]
