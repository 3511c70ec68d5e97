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


def make_authority(**fields):
    from cases.models import Authority

    n = _n()
    return Authority.objects.create(
        **{
            "name": f"Ministry {n}",
            "kind": Authority.Kind.MINISTRY,
            "country": "BE",
            "salutation": "Dear Minister,",
            **fields,
        }
    )


def make_staff(role, username=None, **fields):
    """A staff account in a role: "case-officer", "publisher" or "administrator"."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from accounts.roles import ROLES, create_staff_account, sync_roles

    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        sync_roles(apps)  # a transactional test flushed what the migration made
    username = username or f"{role}-{_n()}"
    return create_staff_account(username, role, password="a long test password", **fields)


def make_urgent_appeal(case, author, **fields):
    """A draft urgent appeal ready for review: one requested action, one addressee."""
    from cases.models import Addressee, RequestedAction

    appeal = make_appeal(case, kind=Appeal.Kind.URGENT_APPEAL, author=author, **fields)
    authority = make_authority()
    RequestedAction.objects.create(
        appeal=appeal,
        position=1,
        text="Release her.",
        target_state="BE",
        target_authority=authority,
    )
    Addressee.objects.create(appeal=appeal, authority=authority)
    return appeal


def make_totp_device(user):
    """The authenticator app of a staff member: a confirmed TOTP device, as setup makes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def totp_code(key, *, step=30, t0=0, digits=6, drift=0):
    """
    The code an authenticator app shows now for a secret key, as typed: zero-padded to its
    digits (about one code in ten starts with 0, and the login form wants all six digits).
    """
    from django_otp.oath import TOTP

    return f"{TOTP(key, step, t0, digits, drift).token():0{digits}d}"


def device_code(device):
    """The code a staff member's TOTP device shows now."""
    return totp_code(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )


def log_in(client, user):
    """
    Log a staff member in on a test client, as far as the admin requires: a password login
    verified by a one-time code from their authenticator, as the two-factor login leaves it.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from two_factor.utils import default_device

    device = default_device(user) or make_totp_device(user)
    client.force_login(user)
    # What django_otp.login() records once a code is accepted: the device that verified.
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def publish(appeal, user, **kwargs):
    """Publish `appeal` as a publisher who reviewed the version it has now."""
    from cases import services

    version = Appeal.objects.values_list("version", flat=True).get(pk=appeal.pk)
    return services.publish_appeal(appeal, user, version=version, **kwargs)


def sitemap_urls():
    """The sitemap index and the first page of each of its sections."""
    from django.urls import reverse

    from public.sitemaps import sitemaps

    return [reverse("sitemap")] + [reverse("sitemap_section", args=[s]) for s in sitemaps]


def sitemap_text(client):
    """Every file of the sitemap, as one text: the index and each page of each section."""
    import re
    from urllib.parse import urlsplit

    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    texts = [index.content.decode()]
    for location in re.findall(r"<loc>([^<]+)</loc>", texts[0]):
        parts = urlsplit(location)
        section = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert section.status_code == 200, location
        texts.append(section.content.decode())
    return "\n".join(texts)
