"""
Staff roles as permission groups. A data migration creates them; `sync_roles` is idempotent,
so a later migration that adds models calls it again.
"""

from django.utils.translation import gettext_lazy as _

CONTRIBUTOR = "Contributor"
CASE_OFFICER = "Case officer"
PUBLISHER = "Publisher"
ADMINISTRATOR = "Administrator"
TRANSLATOR = "Translator"

ROLE_CHOICES = {
    "contributor": CONTRIBUTOR,
    "case-officer": CASE_OFFICER,
    "publisher": PUBLISHER,
    "administrator": ADMINISTRATOR,
    "translator": TRANSLATOR,
}

ROLE_DESCRIPTIONS = {
    CONTRIBUTOR: _(
        "A volunteer: works on cases, alerts, sources and draft appeals like a "
        "case officer, but never sees confidential fields (internal notes, risk levels, "
        "contact details, protected identities, private source files)."
    ),
    CASE_OFFICER: _(
        "Creates and edits cases, defenders, alerts and sources, drafts appeals and records "
        "what governments did with recommendations."
    ),
    PUBLISHER: _(
        "Everything a case officer does, plus reviewing, publishing and withdrawing appeals "
        "(never their own), publishing or closing cases, publishing alerts, sources and "
        "source files, and lifting a defender's protection."
    ),
    ADMINISTRATOR: _("Manages staff accounts, roles and the vocabularies."),
    TRANSLATOR: _(
        "Translates the public texts of cases, alerts, appeals, recommendations, vocabularies "
        "and pages: reads what a contributor reads, writes translations only, never an "
        "original, a confidential field or what is published."
    ),
}


def _crud(model, *actions):
    return [f"cases.{action}_{model}" for action in actions]


_WORK = (
    _crud("case", "add", "change", "view")
    + _crud("defender", "add", "change", "view")
    + _crud("alias", "add", "change", "delete", "view")
    + _crud("casedefender", "add", "change", "delete", "view")
    + _crud("alert", "add", "change", "delete", "view")
    + _crud("source", "add", "change", "view")
    + _crud("citation", "add", "change", "delete", "view")
    + _crud("appeal", "add", "change", "delete", "view")
    + _crud("requestedaction", "add", "change", "delete", "view")
    + _crud("addressee", "add", "change", "delete", "view")
    + _crud("recommendation", "add", "change", "view")
    + _crud("recommendationupdate", "add", "change", "view")
    # Case officers meet new authorities and organisations while logging alerts.
    + _crud("authority", "add", "change", "view")
    + _crud("organisation", "add", "change", "view")
    + _crud("violationtype", "view")
    # "Ready for publication": anyone who works on records may ask, and take it back.
    + _crud("publicationrequest", "add", "delete", "view")
    # What readers said they did about an appeal: counted by the site, read by staff.
    + _crud("actiontally", "view")
    + _crud("page", "view")
)

# Internal notes, risk levels, contact details, protected identities, private source files.
_CONFIDENTIAL = ["cases.view_confidential"]

# Writing the records themselves, not only their translations (cases/admin/translations.py).
_ORIGINALS = ["cases.write_originals"]

# The records whose texts are translated (cases/translation.py): a translator changes them,
# their translations only; and reads what a contributor reads.
_TRANSLATED = [
    "case",
    "alert",
    "appeal",
    "requestedaction",
    "recommendation",
    "recommendationupdate",
    "violationtype",
    "organisation",
    "authority",
    "page",
]
_TRANSLATE = sorted(
    {p for p in _WORK if p.split(".")[1].startswith("view_")}
    | {f"cases.{action}_{model}" for model in _TRANSLATED for action in ("view", "change")}
)

ROLES = {
    CONTRIBUTOR: _WORK + _ORIGINALS,
    CASE_OFFICER: _WORK + _ORIGINALS + _CONFIDENTIAL,
    TRANSLATOR: _TRANSLATE,
    PUBLISHER: _WORK
    + _ORIGINALS
    + _CONFIDENTIAL
    + ["cases.publish_appeal", "cases.publish_case", "cases.publish_alert", "cases.publish_source"]
    + _crud("case", "delete")
    + _crud("defender", "delete")
    + _crud("source", "delete")
    + _crud("recommendation", "delete")
    + _crud("recommendationupdate", "delete")
    # The site's about, contact and privacy pages: written and published by publishers.
    + _crud("page", "add", "change", "delete")
    # The record of spreadsheets exported and imported (cases/transfer.py).
    + _crud("transferlog", "view"),
    ADMINISTRATOR: [
        f"auth.{action}_{model}"
        for model in ("user", "group")
        for action in ("add", "change", "delete", "view")
    ]
    + _crud("violationtype", "add", "change", "delete", "view")
    + _crud("authority", "add", "change", "delete", "view")
    + _crud("organisation", "add", "change", "delete", "view")
    + _crud("page", "add", "change", "delete", "view")
    + _ORIGINALS,
}


def sync_roles(apps, missing_ok=False):
    """
    Create the role groups and give each exactly the permissions of ROLES. An older migration
    passes `missing_ok`: permissions that a later migration adds do not exist yet there.
    """
    from django.contrib.auth.management import create_permissions

    # In a migration the permissions of new models do not exist yet: they are made after
    # the last migration. Make them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for permission in permissions:
            app_label, codename = permission.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is None and not missing_ok:
                raise LookupError(f"No permission {permission} for the role {name}.")
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def create_staff_account(username, role, *, email="", password, full_name=""):
    """
    A staff account in one role (a key of ROLE_CHOICES). The Administrator role manages
    accounts, so it is a superuser: granting roles needs every permission it grants.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    first, _sep, last = full_name.partition(" ")
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=username,
            email=email,
            password=password,
            first_name=first,
            last_name=last,
            is_staff=True,
            is_superuser=role == "administrator",
        )
        user.groups.add(Group.objects.get(name=ROLE_CHOICES[role]))
    return user
