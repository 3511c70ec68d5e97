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
# Records with a history; the list of what awaits publication has none (tests/test_publication.py).
RECORD_ADMINS = [(m, a) for m, a in MODEL_ADMINS if hasattr(m, "history")]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    "model,model_admin", RECORD_ADMINS, ids=lambda m: getattr(m, "__name__", "")
)
def test_every_admin_page_opens(admin_client, jardemalie, model, model_admin):
    from django.core.management import call_command

    from cases.models import ActionTally, Addressee, Appeal, Authority

    call_command("record_history_baseline", verbosity=0)

    # The demo's historical appeals list no addressees; give one to an appeal.
    addressee = Addressee.objects.create(
        appeal=Appeal.objects.get(kind="urgent_appeal"), authority=Authority.objects.first()
    )
    ActionTally.objects.create(appeal=addressee.appeal, count=2)
    ActionTally.objects.create(appeal=addressee.appeal, addressee=addressee, count=1)
    response = admin_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    # Every choice of every filter, as staff click it.
    for spec in changelist.filter_specs:
        choices = list(spec.choices(changelist))
        # All of a short list; the ends of a long one (every country of the world).
        for choice in choices if len(choices) <= 12 else choices[:4] + choices[-2:]:
            filtered = admin_client.get(_url(model, "changelist") + choice["query_string"])
            assert filtered.status_code == 200, (spec.title, choice["query_string"])
    if model is ActionTally:
        # Readers' counts: read only, and without a history (no time of any report is kept).
        assert admin_client.get(_url(model, "add")).status_code == 403
        obj = model.objects.first()
        assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
        return
    assert admin_client.get(_url(model, "deleted")).status_code == 200
    if model_admin.search_fields:
        assert admin_client.get(_url(model, "changelist"), {"q": "Jardemalie"}).status_code == 200
    assert admin_client.get(_url(model, "add")).status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"no {model.__name__} to open"
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200
    record = obj.history.first()
    assert record is not None, "the fixtures' history was not populated"
    revert = admin_client.get(_url(model, "simple_history", obj.pk, record.history_id))
    assert revert.status_code == 200


def test_every_model_of_the_domain_is_registered():
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    from cases.models import PageGeneration

    registered = {model for model, _ in MODEL_ADMINS}
    domain = {
        model
        for model in apps.get_app_config("cases").get_models()
        # The page cache's bookkeeping (public/cache.py) is no record staff edit.
        if not issubclass(model, HistoricalChanges) and model is not PageGeneration
    }
    assert domain == registered


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_cases_are_found_by_alias_and_reference_code(admin_client, jardemalie):
    for term in ("Jardimalie", "OBS 086"):
        response = admin_client.get(reverse("admin:cases_case_changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == [jardemalie]


def test_every_long_foreign_key_has_an_autocomplete():
    """A select of every source or authority ever recorded is unusable; short choices are not."""
    from django.db.models import ForeignKey, ManyToManyField

    # A controlled vocabulary of a dozen terms; the staff accounts a case is assigned to (a
    # user autocomplete would need the permission to view accounts, which officers lack).
    short = {"ViolationType", "User"}
    for model, model_admin in MODEL_ADMINS:
        for field in model._meta.get_fields():
            if not isinstance(field, ForeignKey | ManyToManyField) or not field.editable:
                continue
            if field.many_to_many and not field.remote_field.through._meta.auto_created:
                continue  # edited through its own inline
            if field.related_model.__name__ in short:
                continue
            covered = (
                field.name in model_admin.autocomplete_fields
                or field.name in model_admin.get_readonly_fields(None)
                or field.name in getattr(model_admin, "raw_id_fields", ())
                or field.name not in str(model_admin.get_fields(_request()))
            )
            assert covered, f"{model.__name__}.{field.name} needs autocomplete_fields"


def _request():
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


def test_a_new_source_can_be_added_from_the_alert_page(admin_client, jardemalie):
    page = admin_client.get(reverse("admin:cases_alert_add")).content.decode()
    assert 'id="add_id_citations-0-source"' in page or "add_id_citations-__prefix__-source" in page
