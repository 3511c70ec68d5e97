"""
Every record staff edit is versioned: a save from a form opened before someone else's save is
refused, and the refusal shows, field by field, what the other person changed beside what you
typed, and lets you keep theirs or yours. Nothing is silently restored or overwritten.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.locking import VersionedForm
from cases.models import (
    Addressee,
    Alias,
    CaseDefender,
    RequestedAction,
    ViolationType,
)
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_authority,
    make_case,
    make_citation,
    make_defender,
    make_organisation,
    make_recommendation,
    make_source,
    make_staff,
    make_update,
    make_urgent_appeal,
)

pytestmark = pytest.mark.django_db


def _url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _alias():
    return Alias.objects.create(defender=make_defender(), name="Another Spelling", kind="spelling")


def _requested_action():
    appeal = make_urgent_appeal(make_case(), make_staff("case-officer"))
    return RequestedAction.objects.get(appeal=appeal)


def _addressee():
    appeal = make_urgent_appeal(make_case(), make_staff("case-officer"))
    return Addressee.objects.get(appeal=appeal)


# What each record is, and a field two people edit.
RECORDS = {
    "defender": (lambda: make_defender(), "public_profile", "A profile."),
    "source": (lambda: make_source(), "title", "A title"),
    "alias": (_alias, "note", "A note"),
    "recommendation update": (
        lambda: make_update(make_recommendation(make_case()), "pending", "2020-04-01"),
        "description_en",
        "What happened.",
    ),
    "citation": (lambda: make_citation(alert=make_alert(make_case())), "quoted_passage", "A quote"),
    "organisation": (lambda: make_organisation(), "acronym", "ACR"),
    "authority": (lambda: make_authority(), "salutation_en", "Dear Minister,"),
    "violation type": (
        lambda: ViolationType.objects.create(name="Smear campaign", slug="smear"),
        "description_en",
        "A description.",
    ),
    "defender in a case": (
        lambda: CaseDefender.objects.get(defender=make_defender(make_case())),
        "description",
        "her brother",
    ),
    "requested action": (_requested_action, "text_en", "Release him."),
    "addressee": (_addressee, "position", "3"),
}


@pytest.fixture
def role(request):
    """Vocabularies are for administrators; everything else for publishers."""
    callspec = getattr(request.node, "callspec", None)
    kind = callspec.params.get("kind") if callspec else None
    return "administrator" if kind == "violation type" else "publisher"


@pytest.fixture
def first(role):
    return make_staff(role, full_name="Maria First")


@pytest.fixture
def second(role):
    return make_staff(role, full_name="Sam Second")


def _open(client, user, obj):
    log_in(client, user)
    return form_data(client.get(_url(obj)))


@pytest.mark.parametrize("kind", RECORDS)
def test_it_refuses_the_second_of_two_edits_of_every_record(client, first, second, kind):
    make, field, value = RECORDS[kind]
    obj = make()
    seconds_form = _open(client, second, obj)
    firsts_form = _open(client, first, obj)
    firsts_form[field] = f"{value}1" if field != "position" else "1"
    first_response = client.post(_url(obj), firsts_form)
    assert first_response.status_code == 302, getattr(first_response, "context_data", {}).get(
        "errors"
    )

    log_in(client, second)
    seconds_form[field] = f"{value}2" if field != "position" else "2"
    response = client.post(_url(obj), seconds_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Maria First changed this" in page
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == firsts_form[field]


def test_every_model_staff_edit_is_versioned():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "cases":
            continue
        if model._meta.model_name in ("publicationrequest", "actiontally", "transferlog"):
            # Asked for and published, counted by readers, or written by the transfers
            # themselves: never edited.
            continue
        assert model._meta.get_field("version"), model.__name__
        assert issubclass(model_admin.form, VersionedForm), model.__name__
        for inline in model_admin.inlines:
            if inline.can_delete is False and inline.has_add_permission(None, None) is False:
                continue  # a read-only list, nothing to save
            assert issubclass(inline.form, VersionedForm), inline.__name__


# --- A citation edited on its own page, and its alert saved from an older form ---------------


def test_an_older_alert_form_does_not_restore_a_citation_edited_on_its_own_page(
    client, first, second
):
    alert = make_alert(make_case(), title="The search")
    citation = make_citation(alert=alert, quoted_passage="As printed.")
    seconds_alert_form = _open(client, second, alert)

    citation_form = _open(client, first, citation)
    citation_form["quoted_passage"] = "As printed, corrected."
    assert client.post(_url(citation), citation_form).status_code == 302

    log_in(client, second)
    seconds_alert_form["title_en"] = "The search of her home"
    response = client.post(_url(alert), seconds_alert_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Maria First changed this" in page
    assert "As printed, corrected." in page  # theirs, shown beside yours
    citation.refresh_from_db()
    alert.refresh_from_db()
    assert citation.quoted_passage == "As printed, corrected."
    assert alert.title == "The search"

    # Saving again with the choices as shown keeps their citation and saves the new title.
    resolved = _resubmit(response, seconds_alert_form)
    assert client.post(_url(alert), resolved).status_code == 302
    citation.refresh_from_db()
    alert.refresh_from_db()
    assert citation.quoted_passage == "As printed, corrected."
    assert alert.title == "The search of her home"


# --- What the refusal shows, and keeping theirs or yours --------------------------------------


def _conflicts(response):
    return response.context["edit_conflicts"]


def _resubmit(response, data, **choices):
    """The form posted again from the refusal page: its hidden inputs and the radios as set."""
    data = dict(data)
    for conflict in _conflicts(response):
        data[conflict.version_input] = str(conflict.current_version)
        for row in conflict.rows:
            data[row.input_name] = choices.get(row.name, row.choice)
    return data


def _two_edits(client, first, second, firsts, seconds):
    case = make_case(title="Before", summary="Summary before.")
    seconds_form = _open(client, second, case)
    firsts_form = _open(client, first, case)
    firsts_form.update(firsts)
    assert client.post(_url(case), firsts_form).status_code == 302
    log_in(client, second)
    seconds_form.update(seconds)
    return case, seconds_form, client.post(_url(case), seconds_form)


def test_the_refusal_shows_field_by_field_what_they_changed_beside_what_you_typed(
    client, first, second
):
    case, _form, response = _two_edits(
        client,
        first,
        second,
        {"summary_en": "Their summary."},
        {"summary_en": "My summary.", "title_en": "My title"},
    )
    assert response.status_code == 200
    (conflict,) = _conflicts(response)
    rows = {row.name: row for row in conflict.rows}
    assert list(rows) == ["summary_en"]  # only they changed what both touched; the title is mine
    assert (rows["summary_en"].theirs, rows["summary_en"].yours) == (
        "Their summary.",
        "My summary.",
    )
    assert rows["summary_en"].choice == "mine"
    page = response.content.decode()
    assert "Their summary." in page and "My summary." in page and 'value="My title"' in page
    assert f'value="{conflict.current_version}"' in page
    case.refresh_from_db()
    assert (case.summary, case.title) == ("Their summary.", "Before")


def test_keeping_yours_saves_your_value_over_theirs(client, first, second):
    case, form, response = _two_edits(
        client, first, second, {"summary_en": "Their summary."}, {"summary_en": "My summary."}
    )
    assert client.post(_url(case), _resubmit(response, form, summary_en="mine")).status_code == 302
    case.refresh_from_db()
    assert case.summary == "My summary." and case.version == 3


def test_keeping_theirs_keeps_their_value_and_saves_the_rest(client, first, second):
    case, form, response = _two_edits(
        client,
        first,
        second,
        {"summary_en": "Their summary."},
        {"summary_en": "My summary.", "title_en": "My title"},
    )
    resolved = _resubmit(response, form, summary_en="theirs")
    assert client.post(_url(case), resolved).status_code == 302
    case.refresh_from_db()
    assert (case.summary, case.title) == ("Their summary.", "My title")


def test_a_field_only_they_changed_keeps_their_value_unless_you_choose_yours(client, first, second):
    case, form, response = _two_edits(
        client,
        first,
        second,
        {"summary_en": "Their summary.", "title_en": "Their title"},
        {"title_en": "My title"},
    )
    rows = {row.name: row for row in _conflicts(response)[0].rows}
    assert rows["summary_en"].choice == "theirs"  # I left it as it was: theirs is kept
    assert rows["title_en"].choice == "mine"
    assert client.post(_url(case), _resubmit(response, form)).status_code == 302
    case.refresh_from_db()
    assert (case.summary, case.title) == ("Their summary.", "My title")


def test_edits_of_different_fields_of_a_form_are_both_kept_only_after_review(client, first, second):
    case, form, response = _two_edits(
        client, first, second, {"summary_en": "Their summary."}, {"title_en": "My title"}
    )
    assert response.status_code == 200  # refused: their summary is shown before anything is saved
    assert client.post(_url(case), _resubmit(response, form)).status_code == 302
    case.refresh_from_db()
    assert (case.summary, case.title) == ("Their summary.", "My title")


def test_a_change_made_after_the_refusal_is_refused_again(client, first, second):
    case, form, response = _two_edits(
        client, first, second, {"summary_en": "Their summary."}, {"summary_en": "My summary."}
    )
    again = _resubmit(response, form, summary_en="mine")
    third = _open(client, first, case)
    third["summary_en"] = "Their second summary."
    assert client.post(_url(case), third).status_code == 302
    log_in(client, second)
    response = client.post(_url(case), again)
    assert response.status_code == 200
    rows = {row.name: row for row in _conflicts(response)[0].rows}
    assert rows["summary_en"].theirs == "Their second summary."
    case.refresh_from_db()
    assert case.summary == "Their second summary."


def test_the_refusal_shows_no_confidential_value_to_staff_who_may_not_see_it(client, first):
    contributor = make_staff("contributor")
    case = make_case(internal_notes="Notes before.")
    contributors_form = _open(client, contributor, case)
    officers_form = _open(client, first, case)
    officers_form.update({"internal_notes": "zq-confidential-note", "summary_en": "Their summary."})
    assert client.post(_url(case), officers_form).status_code == 302

    log_in(client, contributor)
    contributors_form["summary_en"] = "My summary."
    response = client.post(_url(case), contributors_form)
    assert response.status_code == 200
    assert "zq-confidential-note" not in response.content.decode()
    assert [row.name for row in _conflicts(response)[0].rows] == ["summary_en"]


def test_a_change_of_fields_you_cannot_see_does_not_stop_your_save(client, first):
    contributor = make_staff("contributor")
    case = make_case(internal_notes="Notes before.")
    contributors_form = _open(client, contributor, case)
    officers_form = _open(client, first, case)
    officers_form["internal_notes"] = "New notes."
    assert client.post(_url(case), officers_form).status_code == 302

    log_in(client, contributor)
    contributors_form["summary_en"] = "My summary."
    assert client.post(_url(case), contributors_form).status_code == 302
    case.refresh_from_db()
    assert (case.summary, case.internal_notes) == ("My summary.", "New notes.")


def test_a_reverted_part_moves_its_version_on(admin_client):
    """A revert brings a citation back to an old text, never to an old version number."""
    from cases.history import revert_to

    alert = make_alert(make_case())
    citation = make_citation(alert=alert, quoted_passage="First.")
    record = alert.history.latest()
    alert.save()  # the next version of the alert: the record above ends here, with "First."
    citation.quoted_passage = "Second."
    citation.save()
    assert citation.version == 2
    revert_to(record, user=make_staff("publisher"))
    citation.refresh_from_db()
    assert citation.quoted_passage == "First." and citation.version == 3


def test_the_history_of_a_part_does_not_list_its_version_as_a_change():
    from cases.history import part_changes

    alert = make_alert(make_case())
    citation = make_citation(alert=alert, quoted_passage="First.")
    citation.quoted_passage = "Second."
    citation.save()
    (latest, _created) = part_changes(alert)
    assert [str(name) for name in latest.changed] == ["quoted passage"]


def test_a_part_saved_again_unchanged_is_not_shown_as_restored_by_a_revert():
    from cases.history import preview

    alert = make_alert(make_case())
    citation = make_citation(alert=alert, quoted_passage="Same.")
    record = alert.history.latest()
    alert.save()
    citation.save()  # a new version, the same content
    assert preview(record)["restored"] == []


def test_links_and_lists_of_states_are_compared_and_shown_by_name(client, first, second):
    violation = ViolationType.objects.create(name="Judicial harassment", slug="jh")
    case, form, response = _two_edits(
        client,
        first,
        second,
        {"other_states": ["BE", "FR"], "violation_types": [str(violation.pk)]},
        {"title_en": "My title"},
    )
    rows = {row.name: row for row in _conflicts(response)[0].rows}
    assert set(rows) == {"other_states", "violation_types"}
    assert rows["other_states"].theirs == "Belgium, France"
    assert rows["violation_types"].theirs == "Judicial harassment"
    assert rows["violation_types"].yours == "—"
    assert {row.choice for row in rows.values()} == {"theirs"}
    assert client.post(_url(case), _resubmit(response, form)).status_code == 302
    case.refresh_from_db()
    assert case.title == "My title"
    assert [c.code for c in case.other_states] == ["BE", "FR"]
    assert list(case.violation_types.all()) == [violation]


def test_every_field_of_every_record_can_be_compared_and_shown(jardemalie):
    """The refusal page must never fail: every kind of field, with real values, compares."""
    from django.apps import apps
    from django.core.management import call_command

    from cases.locking import _UNKNOWN, _comparable, _display, _recorded, _stored

    call_command("record_history_baseline", verbosity=0)
    compared = 0
    for model in apps.get_app_config("cases").get_models():
        if not hasattr(model, "version") or not hasattr(model, "history"):
            continue
        obj = model.objects.first()
        if obj is None:
            continue
        record = obj.history.first()
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            now = _stored(field, obj)
            then = _recorded(field, record)
            assert then is _UNKNOWN or then == now, (model.__name__, field.name)
            assert isinstance(_display(field, now), str)
            if not field.many_to_many:
                assert _comparable(field, field.value_from_object(obj)) == now
            compared += 1
    assert compared > 100


def test_a_row_changed_meanwhile_is_not_deleted_unseen_from_an_older_page(client, first, second):
    alert = make_alert(make_case())
    citation = make_citation(alert=alert, quoted_passage="As printed.")
    seconds_alert_form = _open(client, second, alert)
    citation_form = _open(client, first, citation)
    citation_form["quoted_passage"] = "As printed, corrected."
    assert client.post(_url(citation), citation_form).status_code == 302

    log_in(client, second)
    seconds_alert_form["citations-0-DELETE"] = "on"
    response = client.post(_url(alert), seconds_alert_form)
    assert response.status_code == 200
    assert "As printed, corrected." in response.content.decode()
    assert alert.citations.filter(pk=citation.pk).exists()

    # Seen, and deleted all the same.
    assert client.post(_url(alert), _resubmit(response, seconds_alert_form)).status_code == 302
    assert not alert.citations.filter(pk=citation.pk).exists()
