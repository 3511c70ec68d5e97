"""
Every URL pattern, for every kind of visitor: anonymous, staff who gave a password but not a
one-time code, staff without any permission, a case officer, a publisher.

The patterns are read from the URL resolver, so a pattern added later is requested here too,
and fails the test until it is classified in `expectation()` below.
"""

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import Alert, Appeal, Case, Defender, Page, Source
from tests.factories import log_in, make_staff

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "password-only", "no-permission", "contributor", "case-officer", "publisher"]
PUBLIC = {
    "cases:home",
    "cases:case_list",
    "cases:case_detail",
    "cases:case_timeline_feed",
    "cases:case_appeal_feed",
    "cases:appeal_list",
    "cases:appeal_feed",
    "cases:appeal_detail",
    "cases:recommendation_list",
    "cases:recommendation_export",
    "cases:defender_detail",
    "cases:country_list",
    "cases:country_detail",
    "cases:country_appeal_feed",
    "cases:source_list",
    "cases:search",
    "cases:source_file",
    "cases:appeal_letters",
    "cases:how_we_verify",
    "cases:page",
    "cases:favicon",
    "sitemap",
    "sitemap_section",
    "robots_txt",
    # The public API, its schema and documentation: the same for everyone.
    "api:case-list",
    "api:case-detail",
    "api:alert-list",
    "api:alert-detail",
    "api:appeal-list",
    "api:appeal-detail",
    "api:recommendation-list",
    "api:recommendation-detail",
    "api:defender-list",
    "api:defender-detail",
    "api:source-list",
    "api:source-detail",
    "api:violationtype-list",
    "api:violationtype-detail",
    "api:country-list",
    "api:schema",
    "api:docs",
}
# Public, but POST only: a GET is refused alike for everyone.
PUBLIC_POST_ONLY = {"cases:appeal_report"}
ADMIN_LOGIN = "/admin/login/"
TWO_FACTOR_LOGIN = "/account/login/"


def url_patterns(patterns=None, prefix="", namespace=None):
    """(name, route, pattern) for every pattern; name is None for unnamed ones."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern), pattern


def model_admins():
    """{"cases_case": (model, model_admin), …} for every model of the admin."""
    return {
        f"{model._meta.app_label}_{model._meta.model_name}": (model, model_admin)
        for model, model_admin in admin.site._registry.items()
    }


UNNAMED_OBJECT = re.compile(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z]+)/<path:object_id>/$")


def object_of(model):
    # The newest: for appeals, the demo's appeal in review, which its roles may still edit
    # (published appeals are only corrected by publishers, and never deleted).
    obj = model._default_manager.order_by("-pk").first()
    assert obj is not None, f"Give the permission matrix an object of {model.__name__}."
    return obj


# The API's detail addresses: a record of each kind it serves.
API_OBJECTS = {
    "api:case-detail": lambda: "botagoz-jardemalie",
    "api:alert-detail": lambda: Alert.objects.published().first().pk,
    "api:appeal-detail": lambda: Appeal.objects.published().first().pk,
    "api:recommendation-detail": lambda: _published_recommendation().pk,
    "api:defender-detail": lambda: (
        Defender.objects.published().filter(identity_protected=False).first().slug
    ),
    "api:source-detail": lambda: Source.objects.published().first().pk,
    "api:violationtype-detail": lambda: "surveillance",
}


def _published_recommendation():
    from cases.models import Recommendation

    return Recommendation.objects.published().first()


def urls_to_request():
    """(label, url, rule) for every pattern; rule says what each role should get."""
    admins = model_admins()
    case = Case.objects.published().get(slug="botagoz-jardemalie")
    public_kwargs = {
        "slug": case.slug,
        "pk": Appeal.objects.published().filter(case=case).first().pk,
        "code": "be",
        "section": "cases",
    }
    # The demo's appeals name no addressee: the letters are those of the one the fixture below
    # publishes with addressees. The site's pages: the published "about".
    with_letters = Appeal.objects.published().filter(addressees__isnull=False).first()
    found = []
    for name, route, pattern in url_patterns():
        label = name or route
        if name in PUBLIC:
            kwargs = {key: public_kwargs[key] for key in pattern.pattern.converters}
            if name == "cases:defender_detail":
                kwargs["slug"] = Defender.objects.filter(identity_protected=False).first().slug
            if name == "cases:source_file":
                kwargs["pk"] = Source.objects.with_public_file().get().pk
            if name == "cases:appeal_letters":
                kwargs["pk"] = with_letters.pk
            if name == "cases:page":
                kwargs["slug"] = "about"
            if name in API_OBJECTS:
                kwargs = {key: API_OBJECTS[name]() for key in pattern.pattern.converters}
            found.append((label, reverse(name, kwargs=kwargs), ("public",)))
            continue
        if name in PUBLIC_POST_ONLY:
            found.append((label, reverse(name, kwargs={"pk": with_letters.pk}), ("post-only",)))
            continue
        prefix = next((p for p in admins if (name or "").startswith(f"admin:{p}_")), None)
        if prefix:
            model, _admin = admins[prefix]
            obj = object_of(model)
            action = name.removeprefix(f"admin:{prefix}_")
            if action in ("changelist", "add", "deleted", "import", "export"):
                url = reverse(name)
            elif action == "template":
                url = reverse(name, args=["cases", "csv"])
            elif action == "simple_history":
                version = model.history.filter(id=obj.pk).order_by("history_id").first()
                url = reverse(name, args=[obj.pk, version.history_id])
            elif action == "publication":
                url = reverse(name, kwargs={"object_id": obj.pk, "step": PUBLICATION_STEP[model]})
            elif action in ("config", "qrcode", "file") or (
                model is Source and action == "preview"
            ):
                url = reverse(name, kwargs={"pk": obj.pk})
            elif action == "password_change":
                url = reverse(name, kwargs={"id": obj.pk})
            else:
                url = reverse(name, kwargs={"object_id": obj.pk})
            found.append((label, url, ("model", model, action)))
            continue
        unnamed = UNNAMED_OBJECT.match(route) if name is None else None
        if unnamed:
            model, _admin = admins[f"{unnamed['app']}_{unnamed['model']}"]
            found.append(
                (
                    label,
                    f"/admin/{unnamed['app']}/{unnamed['model']}/{object_of(model).pk}/",
                    ("object-redirect",),
                )
            )
            continue
        found.append((label, *special_url(name, route)))
    return found + restore_urls()


# Restoring a deleted record is its revert page with the deletion record: one per model the
# demo deletes something of (see `demo`).
RESTORED = ("alias", "citation", "alert", "appeal", "source", "defender", "case")


def restore_urls():
    admins = model_admins()
    found = []
    for name in RESTORED:
        model, _admin = admins[f"cases_{name}"]
        record = model.history.filter(history_type="-").order_by("-history_date").first()
        url = reverse(f"admin:cases_{name}_simple_history", args=[record.id, record.history_id])
        found.append((f"restore {name}", url, ("model", model, "restore")))
    return found


def special_url(name, route):
    """The admin's and two-factor's own pages, and the admin's catch-all."""
    case = Case.objects.get(slug="botagoz-jardemalie")
    from django.contrib.contenttypes.models import ContentType

    special = {
        "admin:index": (reverse("admin:index"), ("staff",)),
        "admin:search": (reverse("admin:search") + "?q=Jardemalie", ("staff",)),
        "admin:login": (reverse("admin:login"), ("admin-login",)),
        "admin:logout": (reverse("admin:logout"), ("logout",)),
        "admin:password_change": (reverse("admin:password_change"), ("staff",)),
        "admin:password_change_done": (reverse("admin:password_change_done"), ("staff",)),
        "admin:jsi18n": (reverse("admin:jsi18n"), ("staff",)),
        "admin:autocomplete": (
            reverse("admin:autocomplete") + "?app_label=cases&model_name=alert&field_name=case",
            ("perm", "cases.view_case"),
        ),
        "admin:view_on_site": (
            reverse(
                "admin:view_on_site",
                args=[ContentType.objects.get_for_model(Case).pk, case.pk],
            ),
            ("view-on-site",),
        ),
        "admin:app_list": (reverse("admin:app_list", args=["cases"]), ("app-list",)),
        "two_factor:login": (reverse("two_factor:login"), ("public",)),
        "two_factor:setup": (reverse("two_factor:setup"), ("setup",)),
        "two_factor:qr": (reverse("two_factor:qr"), ("qr",)),
        "two_factor:setup_complete": (reverse("two_factor:setup_complete"), ("verified",)),
        "two_factor:backup_tokens": (reverse("two_factor:backup_tokens"), ("verified",)),
    }
    if name in special:
        return special[name]
    if name is None and route == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/", ("catch-all",)
    pytest.fail(
        f"The URL pattern {name or route!r} is not in the permission matrix: "
        "say who may open it in tests/test_permission_matrix.py."
    )


# The publication step each model's matrix row opens (its confirmation page).
PUBLICATION_STEP = {
    Page: "unpublish",
    Case: "unpublish",
    Alert: "publish",
    Defender: "protect",
    Source: "publish-file",
}


MODEL_PERMISSION = {
    "changelist": "view",
    "change": "view",
    "history": "view",
    # A case's activity: the changes to it and its parts (cases/activity.py).
    "activity": "view",
    "preview": "view",
    "add": "add",
    "deleted": "add",
    "delete": "delete",
    "simple_history": "change",
    # A deleted record comes back as it was added: who may add may restore.
    "restore": "add",
    "password_change": "change",
}


def expectation(rule, role, user):
    """(status, where a redirect goes) that `role` should get from a GET of the rule's URL."""
    kind = rule[0]
    if kind == "public":
        return 200, None
    if kind == "post-only":
        return 405, None
    if kind == "admin-login":
        # Always on to the two-factor login, or to the setup for staff without a device.
        return 302, "/account/two_factor/setup/" if role == "password-only" else TWO_FACTOR_LOGIN
    if kind in ("setup", "qr", "verified"):
        if role == "anonymous":
            return 302, TWO_FACTOR_LOGIN
        if kind == "setup":  # only for staff without an authenticator yet
            return (200, None) if role == "password-only" else (302, None)
        if kind == "qr":  # the QR code exists only during a setup
            return 404, None
        return (302, TWO_FACTOR_LOGIN) if role == "password-only" else (200, None)
    # Everything else is the admin: no page before a verified two-factor login.
    if role in ("anonymous", "password-only"):
        return 302, "/admin/" if kind == "logout" else ADMIN_LOGIN
    if kind == "logout":
        return 405, None  # POST only
    if kind == "staff":
        return 200, None
    if kind in ("object-redirect", "view-on-site"):
        return 302, None
    if kind == "catch-all":
        return 404, None
    if kind == "app-list":
        return (200, None) if user.get_all_permissions() else (404, None)
    if kind == "perm":
        return (200, None) if user.has_perm(rule[1]) else (403, None)
    model, action = rule[1], rule[2]
    opts = model._meta
    if action in ("submit", "return", "follow_up"):
        return 405, None  # workflow steps change state: POST only
    if action in ("publish", "withdraw"):
        return (200, None) if user.has_perm("cases.publish_appeal") else (403, None)
    if action in ("config", "qrcode"):
        return 403, None  # authenticator secrets are never shown in the admin
    if action == "file" or (model is Source and action == "preview"):
        # The demo's newest source has a private file: view-confidential staff only, and
        # no one else learns that it exists. Its preview (a damaged PDF: a plain frame) too.
        may = user.has_perm("cases.view_source") and user.has_perm("cases.view_confidential")
        return (200, None) if may else (404, None)
    if action == "publication":
        from cases.admin.publication import STEPS, steps_for

        obj = object_of(model)
        step = next(s for s in STEPS[model] if s.name == PUBLICATION_STEP[model])
        if not (
            user.has_perm(f"cases.view_{opts.model_name}")
            or user.has_perm(f"cases.change_{opts.model_name}")
        ):
            return 403, None
        if step in steps_for(user, obj):
            return 200, None
        return (302, None) if user.has_perm(step.permission) else (403, None)
    if _in_review(model) and (
        action == "simple_history" or (action == "delete" and model is not Appeal)
    ):
        # Four eyes: an appeal in review, its requested actions and addressees do not change.
        return 403, None
    if action == "restore" and model._meta.model_name == "alias":
        # An alias whose defender is gone may have been a protected one's: staff who may not
        # see confidential fields never see it.
        if not user.has_perm(f"cases.add_{model._meta.model_name}"):
            return 403, None
        return (200, None) if user.has_perm("cases.view_confidential") else (404, None)
    if action in ("import", "export", "template"):
        # Spreadsheets: importing a kind takes adding and changing its records, exporting
        # it viewing them (cases/transfer.py).
        from cases import transfer

        if action == "template":
            allowed = transfer.may_import(user, "cases")
        else:
            may = transfer.may_import if action == "import" else transfer.may_export
            allowed = any(may(user, kind) for kind in transfer.KINDS)
        return (200, None) if allowed else (403, None)
    if model._meta.model_name == "publicationrequest" and action == "add":
        return 403, None  # asked from the record itself
    permission = MODEL_PERMISSION[action]
    allowed = user.has_perm(f"{opts.app_label}.{permission}_{opts.model_name}")
    if permission == "view":
        allowed = allowed or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    return (200, None) if allowed else (403, None)


def _in_review(model):
    """Whether the matrix's object of `model` is an appeal in review, or a part of one."""
    obj = object_of(model)
    appeal = obj if model is Appeal else getattr(obj, "appeal", None)
    return isinstance(appeal, Appeal) and appeal.state == Appeal.State.IN_REVIEW


def visitor(client, role):
    from django.contrib.auth.models import AnonymousUser

    if role == "anonymous":
        return AnonymousUser()
    if role == "password-only":
        # A case officer who gave the right password but has not set up an authenticator:
        # logged in, not verified.
        user = make_staff("case-officer")
        client.post(
            reverse("two_factor:login"),
            {
                "login_view-current_step": "auth",
                "auth-username": user.username,
                "auth-password": "a long test password",
            },
        )
        assert client.session["_auth_user_id"] == str(user.pk)
        return user
    if role == "no-permission":
        user = make_staff("case-officer")
        user.groups.clear()
    else:
        user = make_staff(role)
    log_in(client, user)
    return user


@pytest.fixture
def demo(jardemalie, settings, tmp_path):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import make_urgent_appeal

    call_command("record_history_baseline", verbosity=0)
    # Source files: one anyone may download, then (the newest source) a private one.
    from django.core.files.base import ContentFile

    from tests.factories import make_source

    settings.MEDIA_ROOT = tmp_path / "private"
    settings.API_RATE = "100000/minute"  # each role asks for every address
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    from tests.factories import make_citation

    for public in (True, False):
        source = make_source(
            file=ContentFile(pdf, name="statement.pdf"),
            file_type="application/pdf",
            file_size=len(pdf),
            file_is_public=public,
        )
        # Cited on the published case page, as a public file must be to be served.
        make_citation(source=source, alert=jardemalie.alerts.filter(published_at__isnull=False)[0])
    # Objects of every admin model, so that every object URL opens something.
    owner = make_staff("case-officer", username="device-owner")
    TOTPDevice.objects.create(user=owner, name="default")
    StaticDevice.objects.create(user=owner, name="backup")
    appeal = make_urgent_appeal(jardemalie, author=owner)
    appeal.state = Appeal.State.IN_REVIEW
    appeal.save()
    # A published appeal with an addressee: its letters, and what readers said they did.
    from cases.models import ActionTally, Addressee, Authority

    urgent = Appeal.objects.get(kind=Appeal.Kind.URGENT_APPEAL, reference_code__startswith="KAZ")
    Addressee.objects.create(appeal=urgent, authority=Authority.objects.get(pk=3))
    ActionTally.objects.create(appeal=urgent, count=1)
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessAttempt.objects.create(username="someone", ip_address="192.0.2.1", failures_since_start=1)
    AccessLog.objects.create(username="someone", ip_address="192.0.2.1")
    AccessFailureLog.objects.create(username="someone", ip_address="192.0.2.1")
    from cases import services

    services.request_publication(jardemalie.alerts.first(), owner)
    # A spreadsheet exported, for the transfer log's rows.
    from cases import transfer

    transfer.export(owner, "cases", "csv")
    # One deleted record of several kinds, for the restore rows of the matrix.
    from tests.factories import make_alert, make_case, make_defender

    doomed_case = make_case(published=False)
    make_alert(doomed_case).delete()
    public_source = Source.objects.filter(is_public=True).first()
    make_citation(source=public_source, alert=make_alert(doomed_case)).delete()
    make_urgent_appeal(doomed_case, author=owner).delete()
    make_source().delete()
    defender = make_defender()
    defender.aliases.create(name="A spelling", kind="spelling").delete()
    defender.delete()
    doomed_case.delete()
    return jardemalie


# A floor on what each role meets, so that the matrix cannot pass by requesting little.
AT_LEAST = {
    "anonymous": {302: 180, 200: 16},
    "password-only": {302: 180, 200: 16},
    "no-permission": {403: 140, 200: 20},
    "contributor": {200: 110, 403: 45},
    "case-officer": {200: 110, 403: 45},
    "publisher": {200: 120, 403: 40},
}


@pytest.mark.parametrize("role", ROLES)
def test_every_url_pattern_answers_each_role_as_it_should(client, demo, role):
    from collections import Counter

    user = visitor(client, role)
    wrong = []
    statuses = Counter()
    for label, url, rule in urls_to_request():
        response = client.get(url)
        status, location = expectation(rule, role, user)
        got = response.status_code
        statuses[got] += 1
        if got != status or (location and not response.get("Location", "").startswith(location)):
            wrong.append(
                f"{label} {url}: expected {status} {location or ''}, "
                f"got {got} {response.get('Location', '')}"
            )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
    for status, count in AT_LEAST[role].items():
        assert statuses[status] >= count, statuses


def test_the_matrix_covers_every_url_pattern(demo):
    requested = {label for label, _url, rule in urls_to_request() if rule[-1] != "restore"}
    every = {name or route for name, route, _pattern in url_patterns()}
    assert requested == every
    assert len(every) > 150
