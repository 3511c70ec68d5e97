"""Every registered model opens in the admin: list, search, filters, add and change forms."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODEL_ADMINS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "cases"
]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    "model,model_admin", MODEL_ADMINS, ids=lambda m: getattr(m, "__name__", "")
)
def test_every_admin_page_opens(admin_client, jardemalie, model, model_admin):
    from cases.models import Addressee, Appeal, Authority

    # The demo's historical appeals list no addressees; give one to an appeal.
    Addressee.objects.create(
        appeal=Appeal.objects.get(kind="urgent_appeal"), authority=Authority.objects.first()
    )
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    if model_admin.search_fields:
        assert admin_client.get(_url(model, "changelist"), {"q": "Jardemalie"}).status_code == 200
    assert admin_client.get(_url(model, "add")).status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"no {model.__name__} to open"
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


def test_every_model_of_the_domain_is_registered():
    from django.apps import apps

    registered = {model for model, _ in MODEL_ADMINS}
    assert set(apps.get_app_config("cases").get_models()) == registered


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_cases_are_found_by_alias_and_reference_code(admin_client, jardemalie):
    for term in ("Jardimalie", "OBS 086"):
        response = admin_client.get(reverse("admin:cases_case_changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == [jardemalie]
