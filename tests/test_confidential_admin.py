"""
Staff without the view-confidential permission (a Contributor) never see confidential fields
in the staff workspace: not in forms, lists, filters, search, autocomplete, history or revert
previews. Case officers and publishers do.
"""

import json
import re

import pytest
from django.urls import reverse

from cases.models import Alias, Case, Defender
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_defender,
    make_source,
    make_staff,
)

pytestmark = pytest.mark.django_db

SECRET = "SECRET-7c1e"


@pytest.fixture
def contributor(client):
    return log_in(client, make_staff("contributor"))


@pytest.fixture
def officer(client):
    return log_in(client, make_staff("case-officer"))


@pytest.fixture
def planted():
    case = make_case(
        title="Harassment of a lawyer",
        internal_notes=f"{SECRET} notes",
        risk_level=Case.RiskLevel.CRITICAL,
    )
    protected = make_defender(
        case,
        name=f"{SECRET} Realname",
        public_name="Lawyer A",
        identity_protected=True,
        contact_details=f"{SECRET} phone",
        internal_notes=f"{SECRET} defender notes",
    )
    Alias.objects.create(defender=protected, name=f"{SECRET} Alias", kind=Alias.Kind.SPELLING)
    alert = make_alert(case, internal_notes=f"{SECRET} alert notes")
    source = make_source(internal_notes=f"{SECRET} source notes")
    return {"case": case, "defender": protected, "alert": alert, "source": source}


def _change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _list_url(model):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def _pages(planted):
    case, defender = planted["case"], planted["defender"]
    return [
        _change_url(case),
        _change_url(defender),
        _change_url(planted["alert"]),
        _change_url(planted["source"]),
        _list_url(Case),
        _list_url(Defender),
        _list_url(Alias),
        reverse("admin:cases_case_history", args=[case.pk]),
        reverse("admin:cases_defender_history", args=[defender.pk]),
        reverse("admin:cases_alias_deleted"),
        reverse("admin:index"),
    ]


def test_a_contributor_sees_no_confidential_value_anywhere(client, contributor, planted):
    for url in _pages(planted):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert SECRET not in page, url
    case_page = client.get(_change_url(planted["case"])).content.decode()
    assert 'name="internal_notes"' not in case_page
    assert 'name="risk_level"' not in case_page
    assert "Lawyer A" in case_page  # the public name is there
    cases_list = client.get(_list_url(Case)).content.decode()
    assert "column-risk_level" not in cases_list
    assert "risk_level__exact" not in cases_list  # no filter on it


def test_a_case_officer_sees_them(client, officer, planted):
    case_page = client.get(_change_url(planted["case"])).content.decode()
    assert f"{SECRET} notes" in case_page and 'name="risk_level"' in case_page
    defender_page = client.get(_change_url(planted["defender"])).content.decode()
    assert f"{SECRET} Realname" in defender_page and f"{SECRET} Alias" in defender_page
    assert f"{SECRET} phone" in defender_page
    assert "column-risk_level" in client.get(_list_url(Case)).content.decode()


def test_a_contributors_save_keeps_the_confidential_values(client, contributor, planted):
    case = planted["case"]
    data = form_data(client.get(_change_url(case)))
    assert "internal_notes" not in data
    data["title_en"] = "Harassment of a lawyer in Almaty"
    assert client.post(_change_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.title == "Harassment of a lawyer in Almaty"
    assert case.internal_notes == f"{SECRET} notes"
    assert case.risk_level == Case.RiskLevel.CRITICAL

    defender = planted["defender"]
    data = form_data(client.get(_change_url(defender)))
    assert "name" not in data and "identity_protected" not in data
    data["public_profile"] = "A lawyer."
    assert client.post(_change_url(defender), data).status_code == 302
    defender.refresh_from_db()
    assert (defender.name, defender.identity_protected) == (f"{SECRET} Realname", True)
    assert defender.aliases.get().name == f"{SECRET} Alias"


def test_search_and_filters_do_not_reveal_a_protected_identity(client, contributor, planted):
    for model in (Case, Defender, Alias):
        response = client.get(_list_url(model), {"q": "Realname"})
        assert planted["case"].title not in response.content.decode()
        assert "Lawyer A" not in response.content.decode()
    # Filtering on a confidential field by hand is refused (400), never applied.
    for model, lookup in [
        (Case, "risk_level__exact"),
        (Case, "internal_notes__contains"),
        (Case, "defenders__name__contains"),
        (Defender, "name__startswith"),
        (Defender, "contact_details__contains"),
    ]:
        probe = client.get(_list_url(model), {lookup: "S"})
        assert probe.status_code == 400, lookup
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"term": "Realname", "app_label": "cases", "model_name": "alert"}
        | {"field_name": "defenders"},
    )
    assert json.loads(autocomplete.content)["results"] == []
    alias = planted["defender"].aliases.get()
    assert client.get(_change_url(alias)).status_code == 302  # "does not exist"


def test_the_same_search_finds_them_for_a_case_officer(client, officer, planted):
    response = client.get(_list_url(Case), {"q": "Realname"})
    assert planted["case"].title in response.content.decode()
    found = client.get(reverse("admin:search"), {"q": f"{SECRET} Realname"}).content.decode()
    assert "Lawyer A" in found and f"{SECRET} Realname" in found


@pytest.mark.parametrize("query", [f"{SECRET} Realname", f"{SECRET} Alias", "Realname"])
def test_the_staff_search_does_not_reveal_them_to_a_contributor(
    client, contributor, planted, query
):
    response = client.get(reverse("admin:search"), {"q": query})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lawyer A" not in page
    assert SECRET not in page.replace(query, "")  # the query itself is echoed
    # The defender is still found under the public name.
    assert "Lawyer A" in client.get(reverse("admin:search"), {"q": "Lawyer A"}).content.decode()


def test_history_and_revert_preview_hide_confidential_changes(client, planted):
    officer = make_staff("case-officer")
    log_in(client, officer)
    case = planted["case"]
    first = case.history.order_by("history_date").first()
    data = form_data(client.get(_change_url(case)))
    data["internal_notes"] = f"{SECRET} newer notes"
    assert client.post(_change_url(case), data).status_code == 302
    history_url = reverse("admin:cases_case_history", args=[case.pk])
    revert_url = reverse("admin:cases_case_simple_history", args=[case.pk, first.history_id])
    assert f"{SECRET} newer notes" in client.get(history_url).content.decode()
    # The preview marks the words that differ (<del>, <ins>) inside the text it shows.
    preview = re.sub(r"</?(del|ins)>", "", client.get(revert_url).content.decode())
    assert f"{SECRET} newer notes" in preview

    log_in(client, make_staff("contributor"))
    history = client.get(history_url).content.decode()
    assert SECRET not in history
    preview = client.get(revert_url).content.decode()
    assert SECRET not in preview
    assert "(confidential)" in preview  # it says that something hidden changes


def test_a_contributor_cannot_change_a_protected_defenders_pseudonym_or_address(
    client, contributor, planted
):
    # A refused pseudonym would tell that it holds a part of the real name: no guess at all.
    defender = planted["defender"]
    page = client.get(_change_url(defender))
    data = form_data(page)
    assert "public_name" not in data and "slug" not in data
    assert "Lawyer A" in page.content.decode()  # shown, not editable
    data.update(public_name=f"{SECRET} Guess", slug="secret-guess")
    assert client.post(_change_url(defender), data).status_code == 302
    defender.refresh_from_db()
    assert (defender.public_name, defender.slug) != (f"{SECRET} Guess", "secret-guess")
    assert defender.public_name == "Lawyer A"


def test_a_protected_pseudonym_or_address_may_not_hold_part_of_the_real_name(planted):
    from django.core.exceptions import ValidationError

    defender = planted["defender"]  # real name "<SECRET> Realname", alias "<SECRET> Alias"
    for field, value in [
        ("public_name", "Lawyer Realname"),
        ("public_name", "Lawyer RÉALNAME"),  # accents and case do not hide it
        ("slug", "lawyer-realname"),
        ("slug", "lawyer-alias"),  # nor does another spelling on record
    ]:
        setattr(defender, field, value)
        with pytest.raises(ValidationError) as refused:
            defender.full_clean()
        assert field in refused.value.message_dict
        # The message names no part of the real name.
        assert "Realname" not in str(refused.value) and "realname" not in str(refused.value)
        defender.refresh_from_db()
    defender.public_name, defender.slug = "Lawyer B", "lawyer-b"
    defender.full_clean()
