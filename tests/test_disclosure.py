"""
The findings of the adversarial review, each through HTTP as the role that found it, and the
declaration itself: a field without a class stops start-up, and one line makes a field
confidential everywhere.
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases import disclosure, services
from cases.models import Alert, Alias, Appeal, Defender, PublicationRequest, Source
from tests.admin_forms import form_data, publish_in_admin
from tests.factories import (
    log_in,
    make_alert,
    make_appeal,
    make_authority,
    make_case,
    make_citation,
    make_defender,
    make_organisation,
    make_recommendation,
    make_source,
    make_staff,
    make_urgent_appeal,
    sitemap_text,
)

pytestmark = pytest.mark.django_db

REAL = "Aigerim Zhaksylykova"
REAL_SLUG = "aigerim-zhaksylykova"
PDF = b"%PDF-1.4\n% the testimony of a witness\n%%EOF\n"


def admin_url(model, view, *args):
    return reverse(f"admin:cases_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def contributor(client):
    log_in(client, make_staff("contributor"))
    return client


@pytest.fixture
def protected_later():
    """A defender recorded openly, with an alias, then protected by a case officer."""
    case = make_case()
    defender = make_defender(case, name=REAL, public_name=REAL, slug=REAL_SLUG)
    Alias.objects.create(defender=defender, name="Aigerim Zhaksylykovna", kind="spelling")
    services.protect_identity(
        defender, make_staff("case-officer"), public_name="Defender K", slug="defender-k"
    )
    return Defender.objects.get(pk=defender.pk)


def first_version(obj):
    return obj.history.order_by("history_date").first()


# --- 1. A revert never lifts a protection, nor makes anything public ----------------------


def test_a_contributor_reverting_a_protected_defender_keeps_the_protection(
    contributor, protected_later
):
    record = first_version(protected_later)
    url = admin_url(Defender, "simple_history", protected_later.pk, record.history_id)
    response = contributor.post(url)
    assert response.status_code == 302
    defender = Defender.objects.get(pk=protected_later.pk)
    assert defender.identity_protected
    assert (defender.public_name, defender.slug) == ("Defender K", "defender-k")
    case_page = Client().get(defender.cases.get().get_absolute_url()).content.decode()
    assert REAL not in case_page and "Defender K" in case_page
    assert Client().get(f"/defenders/{REAL_SLUG}/").status_code == 404


def test_a_revert_never_makes_a_private_source_public_again(client):
    publisher = make_staff("publisher")
    source = make_source(title="Made private later", is_public=False)
    services.publish_source(source, publisher)
    services.unpublish_source(source, publisher)
    public_version = source.history.filter(is_public=True).get()
    log_in(client, make_staff("case-officer"))
    client.post(admin_url(Source, "simple_history", source.pk, public_version.history_id))
    source.refresh_from_db()
    assert not source.is_public


def test_a_revert_to_a_version_that_breaks_a_rule_is_refused(client):
    """
    Through full_clean and the constraints: the first version's name is today's pseudonym,
    and a protected defender's pseudonym may not be the name.
    """
    officer = make_staff("case-officer")
    defender = make_defender(name="Defender Z", public_name="Defender Z", slug="defender-z")
    old = first_version(defender)
    defender.name = "Real Person"
    defender.save()
    services.protect_identity(defender, officer, public_name="Defender Z", slug="defender-z2")
    log_in(client, officer)
    response = client.post(
        admin_url(Defender, "simple_history", defender.pk, old.history_id), follow=True
    )
    assert "Nothing was changed" in response.content.decode()
    defender.refresh_from_db()
    assert defender.name == "Real Person" and defender.identity_protected


# --- 2. History shows no protected identity to those who may not see it -----------------


def test_a_contributor_reads_no_protected_identity_in_history(contributor, protected_later):
    history = contributor.get(admin_url(Defender, "history", protected_later.pk))
    assert history.status_code == 200
    page = history.content.decode()
    assert REAL not in page and REAL_SLUG not in page
    assert "Defender K" in page
    record = first_version(protected_later)
    revert = contributor.get(
        admin_url(Defender, "simple_history", protected_later.pk, record.history_id)
    )
    assert revert.status_code == 200
    assert REAL not in revert.content.decode() and REAL_SLUG not in revert.content.decode()


def test_a_case_officer_reads_the_former_names_in_history(client, protected_later):
    log_in(client, make_staff("case-officer"))
    page = client.get(admin_url(Defender, "history", protected_later.pk)).content.decode()
    assert REAL in page


def test_the_history_of_a_protected_defenders_alias_is_not_there_for_a_contributor(
    contributor, protected_later
):
    alias = protected_later.aliases.get()
    record = alias.history.first()
    assert contributor.get(admin_url(Alias, "change", alias.pk)).status_code == 302
    assert contributor.get(admin_url(Alias, "history", alias.pk)).status_code == 404
    url = admin_url(Alias, "simple_history", alias.pk, record.history_id)
    assert contributor.get(url).status_code == 404
    assert contributor.post(url).status_code == 404


# --- 3. Publishing a file needs the right to, and seeing it too -------------------------------


@pytest.fixture
def private_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    source = make_source(
        title="Witness testimony",
        is_public=False,
        file=ContentFile(PDF, name="x.pdf"),
        file_type="application/pdf",
        file_size=len(PDF),
        file_name=f"testimony of {REAL}.pdf",
    )
    make_citation(source=source, alert=make_alert(make_case()))
    return source


def test_a_contributor_cannot_make_a_private_file_public(contributor, private_file):
    url = admin_url(Source, "change", private_file.pk)
    data = form_data(contributor.get(url))
    assert "is_public" not in data and "file_is_public" not in data
    data.update({"is_public": "on", "file_is_public": "on"})
    contributor.post(url, data)
    private_file.refresh_from_db()
    assert not private_file.is_public and not private_file.file_is_public
    assert Client().get(reverse("cases:source_file", args=[private_file.pk])).status_code == 404
    step = admin_url(Source, "publication", private_file.pk, "publish-file")
    assert contributor.post(step).status_code == 403
    file_view = contributor.get(reverse("admin:cases_source_file", args=[private_file.pk]))
    assert file_view.status_code == 404
    assert REAL not in contributor.get(url).content.decode()


def test_a_case_officer_asks_a_publisher_to_publish_a_file(client, private_file):
    officer = make_staff("case-officer")
    log_in(client, officer)
    for step in ("publish", "publish-file"):
        url = admin_url(Source, "publication", private_file.pk, step)
        assert client.post(url).status_code == 403
    client.post(admin_url(Source, "publication", private_file.pk, "request"), {"note": "ok"})
    assert PublicationRequest.objects.filter(object_id=private_file.pk).exists()
    private_file.refresh_from_db()
    assert not private_file.is_public

    log_in(client, make_staff("publisher"))
    dashboard = client.get(reverse("admin:index")).content.decode()
    assert "Awaiting publication" in dashboard
    for step in ("publish", "publish-file"):
        client.post(admin_url(Source, "publication", private_file.pk, step))
    private_file.refresh_from_db()
    assert private_file.is_public and private_file.file_is_public
    assert Client().get(reverse("cases:source_file", args=[private_file.pk])).status_code == 200
    assert not PublicationRequest.objects.exists()


# --- 4. Publishing an alert needs the permission; it cannot be scheduled ---------------------


@pytest.mark.parametrize("role", ["contributor", "case-officer"])
def test_only_a_publisher_publishes_an_alert(client, role):
    alert = make_alert(make_case(), published=False)
    log_in(client, make_staff(role))
    url = admin_url(Alert, "change", alert.pk)
    data = form_data(client.get(url))
    assert "published_at_0" not in data and "published_at" not in data
    data["published_at_0"], data["published_at_1"] = "2099-01-01", "00:00"
    client.post(url, data)
    assert client.post(admin_url(Alert, "publication", alert.pk, "publish")).status_code == 403
    alert.refresh_from_db()
    assert alert.published_at is None

    log_in(client, make_staff("publisher"))
    page = client.get(admin_url(Alert, "publication", alert.pk, "publish"))
    assert page.status_code == 200
    assert client.post(admin_url(Alert, "publication", alert.pk, "publish")).status_code == 302
    alert.refresh_from_db()
    assert alert.published_at is not None


def test_publishers_publish_several_alerts_at_once_from_the_list(client):
    case = make_case()
    alerts = [make_alert(case, published=False) for _ in range(3)]
    log_in(client, make_staff("publisher"))
    client.post(
        admin_url(Alert, "changelist"),
        {
            "action": "publication_publish",
            "_selected_action": [a.pk for a in alerts],
            "confirm": "yes",
        },
    )
    assert Alert.objects.filter(published_at__isnull=False).count() == 3


# --- 5. Four eyes: the published text is the reviewed text -------------------------------


@pytest.fixture
def in_review():
    author = make_staff("case-officer", username="author")
    appeal = make_urgent_appeal(make_case(), author, body="The reviewed text.")
    services.submit_for_review(appeal, author)
    return Appeal.objects.get(pk=appeal.pk), author


def test_the_author_cannot_change_an_appeal_in_review(client, in_review):
    appeal, author = in_review
    log_in(client, author)
    url = admin_url(Appeal, "change", appeal.pk)
    page = client.get(url)
    assert "This appeal is in review" in page.content.decode()
    assert client.post(url, {"body": "An unreviewed sentence."}).status_code == 403
    action = appeal.requested_actions.first()
    assert client.post(admin_url(type(action), "delete", action.pk), {"post": "yes"}).status_code
    assert appeal.requested_actions.count() == 1
    appeal.refresh_from_db()
    assert appeal.body == "The reviewed text."


def test_publishing_another_version_than_the_reviewed_one_is_refused(client, in_review):
    appeal, author = in_review
    publisher = Client()
    log_in(publisher, make_staff("publisher"))
    confirmation = publisher.get(admin_url(Appeal, "publish", appeal.pk)).content.decode()
    reviewed = re.search(r'name="version" value="(\d+)"', confirmation).group(1)
    assert "This is its first review" in confirmation

    # Meanwhile the author takes it back, changes it and submits it again.
    services.return_to_draft(appeal, author)
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal.body = "An unreviewed sentence."
    appeal.save()
    services.submit_for_review(appeal, author)

    publisher.post(admin_url(Appeal, "publish", appeal.pk), {"version": reviewed})
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.IN_REVIEW and not appeal.reference_code
    page = publisher.get(admin_url(Appeal, "publish", appeal.pk)).content.decode()
    assert "What changed since the last review" in page
    assert "An unreviewed sentence." in page and "The reviewed text." in page
    assert publish_in_admin(publisher, appeal).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.PUBLISHED


# --- 7. No guessing oracles for contributors ---------------------------------------------


def test_a_lookup_on_a_field_a_contributor_may_not_see_is_a_400(contributor, private_file):
    changelist = admin_url(Source, "changelist")
    for lookup in ("file_name__regex", "file_name__startswith", "internal_notes__contains"):
        assert contributor.get(changelist, {lookup: "t"}).status_code == 400, lookup
    assert contributor.get(admin_url(Defender, "changelist"), {"name__regex": "^A"}).status_code
    assert (
        contributor.get(admin_url(Defender, "changelist"), {"aliases__name__regex": "^A"})
    ).status_code == 400
    assert contributor.get(changelist, {"o": "1"}).status_code == 200


def test_adding_an_alias_to_a_protected_defender_tells_a_contributor_nothing(
    contributor, protected_later
):
    url = admin_url(Alias, "add")
    known = contributor.post(
        url, {"defender": protected_later.pk, "name": "Aigerim Zhaksylykovna", "kind": "spelling"}
    )
    unknown = contributor.post(
        url, {"defender": 999999, "name": "Aigerim Zhaksylykovna", "kind": "spelling"}
    )
    assert known.status_code == unknown.status_code == 200
    assert "already exists" not in known.content.decode()
    assert known.context["adminform"].form.errors == unknown.context["adminform"].form.errors


# --- 8. Public filters name only what is public -------------------------------------------


def test_public_filters_do_not_name_rows_known_only_from_drafts(client):
    secret_issuer = make_organisation(name="Secret partner NGO")
    make_appeal(make_case(), issuer=secret_issuer, title="A draft")
    secret_authority = make_authority(name="Secret ministry")
    make_recommendation(make_case(published=False), target_authority=secret_authority)
    for url, params in (
        (reverse("cases:appeal_list"), {"issuer": secret_issuer.pk}),
        (reverse("cases:recommendation_list"), {"authority": secret_authority.pk}),
        (reverse("cases:recommendation_list"), {"issuer": secret_issuer.pk}),
        (reverse("cases:recommendation_export"), {"authority": secret_authority.pk}),
    ):
        response = client.get(url, params)
        assert response.status_code == 400, url
        body = response.content.decode()
        assert "Secret" not in body and "Unknown" in body, url


# --- 9. Facets count only public values ---------------------------------------------------


def test_the_profession_facet_does_not_count_protected_defenders(client):
    case = make_case()
    make_defender(
        case,
        name="Real name",
        public_name="Defender P",
        slug="defender-p",
        identity_protected=True,
        profession="journalist",
    )
    page = client.get(reverse("cases:case_list")).content.decode()
    assert "journalist" not in page.lower()
    filtered = client.get(reverse("cases:case_list"), {"profession": "journalist"})
    assert case.title not in filtered.content.decode()


# --- 10. Private sources and residence ------------------------------------------------------


def test_a_contributor_reads_no_title_author_or_quote_of_a_private_source(contributor):
    source = make_source(title="Testimony of the neighbour", author="K. A.", is_public=False)
    alert = make_alert(make_case())
    make_citation(source=source, alert=alert, quoted_passage="He saw two officials")
    for url in (
        admin_url(Source, "changelist"),
        admin_url(Source, "change", source.pk),
        admin_url(Source, "history", source.pk),
        admin_url(Alert, "change", alert.pk),
        admin_url(type(alert.citations.get()), "changelist"),
        reverse("admin:autocomplete")
        + "?app_label=cases&model_name=citation&field_name=source&term=",
        reverse("admin:search") + "?q=neighbour",
    ):
        response = contributor.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Testimony of the" not in body and "K. A." not in body, url
        assert "two officials" not in body, url
    found = contributor.get(admin_url(Source, "changelist"), {"q": "neighbour"})
    assert list(found.context["cl"].result_list) == []


def test_a_contributor_finds_public_sources_by_title(contributor):
    make_source(title="Le Soir investigation", is_public=True)
    response = contributor.get(admin_url(Source, "changelist"), {"q": "Soir"})
    assert "Le Soir investigation" in response.content.decode()


def test_the_defender_page_does_not_say_where_a_defender_lives(client):
    defender = make_defender(make_case(), country_of_residence="BE", nationality="KZ")
    page = client.get(defender.get_absolute_url()).content.decode()
    assert "Belgium" not in page and "Kazakhstan" in page


# --- Protection is sticky -------------------------------------------------------------------


def test_only_a_publisher_who_sees_the_name_lifts_a_protection(client, protected_later):
    url = admin_url(Defender, "publication", protected_later.pk, "lift")
    for role in ("contributor", "case-officer"):
        log_in(client, make_staff(role))
        assert client.post(url, {"reason": "agreed"}).status_code == 403
        data = form_data(client.get(admin_url(Defender, "change", protected_later.pk)))
        assert "identity_protected" not in data
    log_in(client, make_staff("publisher"))
    assert "Lift the protection" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    assert client.post(url, {"reason": "She asked to be named."}).status_code == 302
    defender = Defender.objects.get(pk=protected_later.pk)
    assert not defender.identity_protected
    assert "She asked to be named." in defender.history.first().history_change_reason


def test_protecting_a_defender_takes_the_old_address_off_the_site_at_once(client):
    officer = make_staff("case-officer")
    defender = make_defender(make_case(), name=REAL, public_name=REAL, slug=REAL_SLUG)
    assert Client().get(f"/defenders/{REAL_SLUG}/").status_code == 200
    log_in(client, officer)
    url = admin_url(Defender, "publication", defender.pk, "protect")
    refused = client.post(url, {"public_name": "Aigerim", "slug": "defender-a"})
    assert refused.status_code == 200  # a part of the real name
    assert client.post(url, {"public_name": "Defender A", "slug": "defender-a"}).status_code == 302
    assert Client().get(f"/defenders/{REAL_SLUG}/").status_code == 404
    assert Client().get("/defenders/defender-a/").status_code == 404
    assert REAL_SLUG not in sitemap_text(Client())


def test_restoring_a_deleted_source_brings_it_back_private(client):
    publisher = make_staff("publisher")
    source = make_source(is_public=False)
    services.publish_source(source, publisher)
    pk = source.pk
    source.delete()
    record = Source.history.filter(id=pk, history_type="-").get()
    log_in(client, publisher)
    client.post(admin_url(Source, "simple_history", pk, record.history_id))
    assert not Source.objects.get(pk=pk).is_public


# --- The declaration ----------------------------------------------------------------------


def test_a_field_without_a_class_stops_start_up(monkeypatch):
    declared = dict(disclosure.DECLARATION[Alert])
    del declared["place"]
    monkeypatch.setitem(disclosure.DECLARATION, Alert, declared)
    errors = checks.run_checks(tags=[checks.Tags.security])
    assert [e.id for e in errors if "Alert.place" in e.msg] == ["observatory.E001"]


def test_every_field_of_every_model_of_the_project_is_declared():
    assert disclosure.check_declaration() == []
    assert ContentType  # the generic request's fields are declared too
    assert set(disclosure.DECLARATION[PublicationRequest]) >= {"note", "requested_by"}


def test_one_line_makes_a_field_confidential_in_the_whole_workspace(client, monkeypatch):
    """Alert.place declared CONFIDENTIAL: forms, lists, lookups, history and search follow."""
    monkeypatch.setitem(
        disclosure.DECLARATION,
        Alert,
        {**disclosure.DECLARATION[Alert], "place": disclosure.CONFIDENTIAL},
    )
    alert = make_alert(make_case(), place="Safe house street")
    alert.place = "Second safe house"
    alert.save()
    log_in(client, make_staff("contributor"))
    form = client.get(admin_url(Alert, "change", alert.pk)).content.decode()
    assert "Safe house" not in form and "Second safe house" not in form
    assert client.get(admin_url(Alert, "changelist"), {"place__contains": "S"}).status_code == 400
    history = client.get(admin_url(Alert, "history", alert.pk)).content.decode()
    assert "safe house" not in history.lower() and "(confidential)" in history
    if connection.vendor == "sqlite":
        found = client.get(reverse("cases:search"), {"q": "safe house", "type": "alert"})
        assert alert.title not in found.content.decode()
    # The full-text columns are generated by a migration: the one the new line needs.
    assert search_reads_not_public() == ["cases_alert.place"]
    assert "place" not in disclosure.public_fields(Alert)


def search_reads_not_public():
    """What the search reads that the declaration does not make public: its titles and
    passages, and the fields the full-text columns of migration 0006 are generated from (a
    field made confidential needs a migration that regenerates them)."""
    import importlib

    from cases import search

    found = []
    for kind in search.KINDS.values():
        public = disclosure.public_fields(kind.model) - disclosure.fields_of(
            kind.model, disclosure.PublicWhen
        )
        found += [f"{kind.name}.{name}" for name in (kind.title, kind.body) if name not in public]
    columns = importlib.import_module("cases.migrations.0006_search").COLUMNS
    for table, fields in columns.items():
        model = next(k.model for k in search.KINDS.values() if k.model._meta.db_table == table)
        names = {f.name for f in model._meta.concrete_fields}
        for name in re.findall(r"\b([a-z_]+)\b", fields):
            if name in names and name not in disclosure.public_fields(model):
                found.append(f"{table}.{name}")
    return found


def test_what_the_search_reads_is_public_by_the_declaration():
    assert search_reads_not_public() == []
