"""
Bad input from staff gets a form error in words, never a 500, and nothing is half saved: texts
too long for the search index, meaningless years, taken or mistyped reference codes, follow-ups
of withdrawn appeals, and whatever the database's constraints refuse.
"""

import datetime
import random
import re

import pytest
from django.db import connection
from django.db.models import CheckConstraint, UniqueConstraint
from django.urls import reverse

from cases import services
from cases.models import Alert, Appeal, Case
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_appeal,
    make_case,
    make_staff,
    make_urgent_appeal,
    publish,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search vector exists on PostgreSQL only"
)


def _change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _vocabulary(characters, seed=1):
    """
    Text of `characters` characters made of distinct two-letter CJK words: the text that makes
    PostgreSQL's search vector largest for its length (about five bytes per character).
    """
    rnd = random.Random(seed)  # noqa: S311 - repeatable test text, not a secret
    letters = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
    words = []
    while 3 * len(words) < characters:
        words.append(rnd.choice(letters) + rnd.choice(letters))
    return " ".join(words)[:characters]


def _errors(response):
    """Every error message of the admin form and its inlines, as one text."""
    messages = []
    form = response.context["adminform"].form
    for errors in form.errors.values():
        messages += [str(e) for e in errors]
    for inline in response.context["inline_admin_formsets"]:
        for inline_form in inline.formset.forms:
            for errors in inline_form.errors.values():
                messages += [str(e) for e in errors]
    return " ".join(messages)


@pytest.fixture
def officer_client(client):
    return log_in(client, make_staff("case-officer"))


@pytest.fixture
def publisher_client(client):
    return log_in(client, make_staff("publisher"))


# --- Texts too long for the search index ----------------------------------------------------


def test_it_refuses_an_alert_description_too_long_for_the_search_index(officer_client):
    alert = make_alert(make_case(), description="Before.")
    data = form_data(officer_client.get(_change_url(alert)))
    data["description_en"] = _vocabulary(1_000_000)
    response = officer_client.post(_change_url(alert), data)
    assert response.status_code == 200
    assert "at most 50000 characters" in _errors(response)
    alert.refresh_from_db()
    assert alert.description == "Before." and alert.version == 1


def test_it_refuses_an_appeal_body_too_long_for_the_search_index(officer_client):
    appeal = make_urgent_appeal(make_case(), make_staff("case-officer"))
    data = form_data(officer_client.get(_change_url(appeal)))
    data["body_en"] = _vocabulary(1_000_000)
    response = officer_client.post(_change_url(appeal), data)
    assert response.status_code == 200
    assert "at most 100000 characters" in _errors(response)


@needs_postgresql
def test_the_longest_texts_allowed_fit_the_search_vector():
    """The worst vocabulary at the largest length of every field that feeds the vector."""
    from cases.models import Defender, Recommendation
    from tests.factories import make_defender, make_recommendation

    def longest(model, name):
        return _vocabulary(model._meta.get_field(name).max_length, seed=len(name))

    case = make_case(summary=longest(Case, "summary"))
    make_alert(
        case,
        description=longest(Alert, "description"),
        dispute_note=longest(Alert, "dispute_note"),
        disputed=True,
        place="x" * 200,
    )
    make_appeal(case, title="t" * 300, body=longest(Appeal, "body"))
    make_recommendation(case, text=longest(Recommendation, "text"))
    make_defender(public_profile=longest(Defender, "public_profile"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(pg_column_size(public_search)) FROM cases_appeal")
        assert cursor.fetchone()[0] < 1_048_575


# --- Years ------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [1, 1899, 9999])
def test_it_refuses_a_year_that_means_nothing(officer_client, year):
    alert = make_alert(make_case())
    data = form_data(officer_client.get(_change_url(alert)))
    data["date"] = f"{year:04d}-06-01"
    response = officer_client.post(_change_url(alert), data)
    assert response.status_code == 200
    assert "Give a date between 1900 and" in _errors(response)
    alert.refresh_from_db()
    assert alert.date == datetime.date(2019, 10, 1)


def test_it_accepts_the_years_of_the_observatory_s_work(officer_client):
    alert = make_alert(make_case())
    data = form_data(officer_client.get(_change_url(alert)))
    data["date"] = "1998-06-01"
    assert officer_client.post(_change_url(alert), data).status_code == 302


def test_the_database_refuses_a_meaningless_year_whoever_writes_it():
    from django.db import IntegrityError, transaction

    case = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(opened_on=datetime.date(1, 1, 1))


# --- Reference codes typed by staff -----------------------------------------------------------


@pytest.fixture
def coded_appeal():
    """A published appeal of 2021 whose code carries running number 086."""
    appeal = make_appeal(
        make_case(state_of_concern="KZ"),
        **published_appeal_fields(datetime.date(2021, 3, 15)),
        reference_code="KAZ 001 / 0720 / OBS 086",
    )
    appeal.code_year, appeal.code_number = 2021, 86
    appeal.save()
    return appeal


def _typed_code(client, code, date="2021-05-04", **fields):
    appeal = make_appeal(make_case(state_of_concern="BY"), **fields)
    data = form_data(client.get(_change_url(appeal)))
    data.update({"reference_code": code, "date": date})
    return appeal, client.post(_change_url(appeal), data)


def test_it_refuses_a_typed_code_whose_running_number_is_taken(officer_client, coded_appeal):
    appeal, response = _typed_code(officer_client, "BLR 003 / 0521 / OBS 086")
    assert response.status_code == 200
    errors = _errors(response)
    assert "086 of 2021 is already the running number of" in errors
    assert "KAZ 001 / 0720 / OBS 086" in errors
    appeal.refresh_from_db()
    assert appeal.reference_code == "" and appeal.code_number is None


def test_it_refuses_a_lower_case_copy_of_an_existing_code(officer_client, coded_appeal):
    appeal, response = _typed_code(officer_client, "kaz 001 / 0720 / obs 086", date="2019-01-02")
    assert response.status_code == 200
    assert "is already the code of" in _errors(response)
    appeal.refresh_from_db()
    assert appeal.reference_code == ""


def test_the_database_compares_codes_without_case_or_spaces(coded_appeal):
    from django.db import IntegrityError, transaction

    other = make_appeal(make_case())
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.filter(pk=other.pk).update(reference_code="kaz 001 / 0720 / obs086")


def test_a_lower_case_code_of_ours_still_records_its_running_number(officer_client):
    appeal, response = _typed_code(officer_client, "blr 003 / 0521 / obs 087")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.reference_code == "blr 003 / 0521 / obs 087"  # as printed
    assert (appeal.code_year, appeal.code_number) == (2021, 87)


def test_it_refuses_a_follow_up_code_on_an_appeal_that_is_not_a_follow_up(officer_client):
    appeal, response = _typed_code(officer_client, "BLR 003 / 0521 / OBS 087.2")
    assert response.status_code == 200
    assert "is the code of a follow-up" in _errors(response)
    appeal.refresh_from_db()
    assert appeal.reference_code == "" and appeal.follow_up_number is None


def test_it_refuses_a_code_of_ours_without_its_date(officer_client):
    appeal, response = _typed_code(officer_client, "BLR 003 / 0521 / OBS 087", date="")
    assert response.status_code == 200
    assert "Give the date of issue" in _errors(response)


def test_it_keeps_an_irregular_code_of_another_organisation(officer_client):
    appeal, response = _typed_code(officer_client, "UA 12/2019", date="")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.reference_code == "UA 12/2019"


# --- Follow-ups of withdrawn appeals ----------------------------------------------------------


@pytest.fixture
def withdrawn_appeal():
    officer, publisher = make_staff("case-officer"), make_staff("publisher")
    appeal = make_urgent_appeal(make_case(), officer)
    services.submit_for_review(appeal, officer)
    publish(appeal, publisher)
    return services.withdraw_appeal(appeal, publisher, "Published in error.")


def test_a_withdrawn_appeal_takes_no_follow_up(withdrawn_appeal):
    with pytest.raises(services.WorkflowError, match="withdrawn"):
        services.create_follow_up(withdrawn_appeal, make_staff("case-officer"))
    assert not withdrawn_appeal.follow_ups.exists()


def test_the_admin_says_why_a_withdrawn_appeal_takes_no_follow_up(
    publisher_client, withdrawn_appeal
):
    url = reverse("admin:cases_appeal_follow_up", args=[withdrawn_appeal.pk])
    response = publisher_client.post(url, follow=True)
    assert response.status_code == 200
    (notice,) = [str(m) for m in response.context["messages"]]
    assert "withdrawn" in notice
    assert not withdrawn_appeal.follow_ups.exists()


def test_a_follow_up_drafted_before_the_withdrawal_is_refused_in_words(withdrawn_appeal):
    follow_up = make_appeal(
        withdrawn_appeal.case, kind=Appeal.Kind.FOLLOW_UP, parent=withdrawn_appeal
    )
    problems = " ".join(services.publication_problems(follow_up))
    assert "was withdrawn" in problems
    assert "not published yet" not in problems


def test_the_appeal_form_refuses_a_withdrawn_original(officer_client, withdrawn_appeal):
    follow_up = make_appeal(withdrawn_appeal.case, kind=Appeal.Kind.STATEMENT)
    data = form_data(officer_client.get(_change_url(follow_up)))
    data.update({"kind": Appeal.Kind.FOLLOW_UP, "parent": str(withdrawn_appeal.pk)})
    response = officer_client.post(_change_url(follow_up), data)
    assert response.status_code == 200
    assert "was withdrawn" in _errors(response)


# --- What the database refuses, in words ------------------------------------------------------


def test_a_taken_case_number_is_refused_in_words(officer_client):
    make_case(state_of_concern="KZ", country_number=7)
    case = make_case(state_of_concern="KZ")
    data = form_data(officer_client.get(_change_url(case)))
    data["country_number"] = "7"
    response = officer_client.post(_change_url(case), data)
    assert response.status_code == 200
    errors = _errors(response)
    assert "Another case of this state already has this number" in errors
    assert "case_country_number_unique" not in response.content.decode()


def test_a_case_closed_before_it_opened_is_refused_in_words(client):
    case = make_case(opened_on=datetime.date(2020, 1, 1))
    client = log_in(client, make_staff("publisher"))
    data = form_data(client.get(_change_url(case)))
    data.update({"status": "closed", "closed_on": "2019-12-31"})
    response = client.post(_change_url(case), data)
    assert response.status_code == 200
    assert "A case cannot close before it opened" in _errors(response)
    assert "case_closed_after_opened" not in response.content.decode()


def test_every_constraint_says_in_words_what_it_refuses():
    from django.apps import apps

    for model in apps.get_app_config("cases").get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint | UniqueConstraint):
                message = str(constraint.get_violation_error_message())
                assert constraint.name not in message, (model.__name__, constraint.name)
                assert not re.search(r"[a-z]+_[a-z_]+", message), message


def test_a_save_the_database_refuses_at_the_last_moment_is_a_form_error(
    officer_client, coded_appeal, monkeypatch
):
    """
    Someone else takes the same code between the form's checks and the save: the database's
    unique constraint refuses it, and the staff member sees the form again with a message in
    words and their input, not a 500.
    """
    from cases.admin.appeals import AppealAdmin

    appeal = make_appeal(make_case(state_of_concern="BY"))
    data = form_data(officer_client.get(_change_url(appeal)))
    data.update({"reference_code": "BLR 003 / 0521 / OBS 090", "date": "2021-05-04"})
    original_save_model = AppealAdmin.save_model

    def someone_else_first(self, request, obj, form, change):
        if not Appeal.objects.filter(code_number=90).exists():
            make_appeal(make_case(), reference_code="BLR 003 / 0521 / OBS 090")
        return original_save_model(self, request, obj, form, change)

    monkeypatch.setattr(AppealAdmin, "save_model", someone_else_first)
    response = officer_client.post(_change_url(appeal), data)
    assert response.status_code == 200
    errors = _errors(response)
    assert "Nothing was saved" in errors
    assert "appeal_reference_code" not in response.content.decode()
    assert 'value="BLR 003 / 0521 / OBS 090"' in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.reference_code == "" and appeal.version == 1
