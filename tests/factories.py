"""Small factory functions: each makes a valid record and takes overrides."""

import datetime
import itertools

from django.utils import timezone

from cases.models import (
    Alert,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Organisation,
    Recommendation,
    RecommendationUpdate,
    Source,
)

_numbers = itertools.count(1)


def _n():
    return next(_numbers)


def make_organisation(**fields):
    n = _n()
    return Organisation.objects.create(
        **{"name": f"Organisation {n}", "kind": Organisation.Kind.NGO, **fields}
    )


def make_case(published=True, **fields):
    n = _n()
    defaults = {
        "title": f"Case {n}",
        "slug": f"case-{n}",
        "summary": f"Summary of case {n}.",
        "state_of_concern": "KZ",
        "opened_on": datetime.date(2020, 1, 1),
        "published_at": timezone.now() if published else None,
    }
    return Case.objects.create(**{**defaults, **fields})


def make_defender(case=None, role=CaseDefender.Role.SUBJECT, **fields):
    n = _n()
    defender = Defender.objects.create(
        **{
            "name": f"Defender {n}",
            "public_name": f"Defender {n}",
            "slug": f"defender-{n}",
            **fields,
        }
    )
    if case is not None:
        CaseDefender.objects.create(case=case, defender=defender, role=role)
    return defender


def make_alert(case, published=True, **fields):
    n = _n()
    defaults = {
        "case": case,
        "date": datetime.date(2019, 10, 1),
        "kind": Alert.Kind.OTHER,
        "title": f"Alert {n}",
        "description": f"What happened in alert {n}.",
        "published_at": timezone.now() if published else None,
    }
    return Alert.objects.create(**{**defaults, **fields})


def make_source(**fields):
    n = _n()
    return Source.objects.create(
        **{"kind": Source.Kind.NGO_STATEMENT, "title": f"Source {n}", "is_public": True, **fields}
    )


def make_citation(source=None, **fields):
    return Citation.objects.create(source=source or make_source(), **fields)


def make_appeal(case, issuer=None, **fields):
    n = _n()
    defaults = {
        "case": case,
        "kind": Appeal.Kind.URGENT_APPEAL,
        "issuer": issuer or make_organisation(),
        "title": f"Appeal {n}",
        "body": f"Body of appeal {n}.",
    }
    return Appeal.objects.create(**{**defaults, **fields})


def published_appeal_fields(on=datetime.date(2021, 3, 15)):
    return {
        "state": Appeal.State.PUBLISHED,
        "date": on,
        "published_at": timezone.make_aware(datetime.datetime.combine(on, datetime.time(12))),
    }


def make_recommendation(case, **fields):
    n = _n()
    defaults = {
        "case": case,
        "text": f"Recommendation {n}.",
        "target_state": "BE",
        "issuer": fields.pop("issuer", None) or make_organisation(),
        "issued_on": datetime.date(2020, 3, 20),
    }
    return Recommendation.objects.create(**{**defaults, **fields})


def make_update(recommendation, status, date, **fields):
    return RecommendationUpdate.objects.create(
        recommendation=recommendation,
        status=status,
        date=date,
        description=fields.pop("description", f"Update to {status}."),
        **fields,
    )
