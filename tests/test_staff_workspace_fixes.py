"""
What case officers and publishers stumbled on in the staff workspace, each fixed and proven:
the status after a government response, refusals that say what to do, the history's times and
the search for defenders by misspelled names. (Dates have their own file: test_staff_dates.py.)
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from cases.models import Alert, Alias, Recommendation
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_appeal,
    make_case,
    make_defender,
    make_recommendation,
    make_staff,
    make_update,
    make_urgent_appeal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    return log_in(client, make_staff("case-officer", full_name="Olga Officer"))


# --- 2. The status after a government response ------------------------------------------------


def test_it_says_the_status_the_update_gave_the_recommendation(officer):
    recommendation = make_recommendation(make_case())
    url = reverse("admin:cases_recommendationupdate_add") + f"?recommendation={recommendation.pk}"
    data = form_data(officer.get(url))
    data.update(
        {
            "date": "2020-05-04",
            "status": "committed",
            "description": "Belgium gave assurances that cooperation would be suspended.",
        }
    )
    response = officer.post(url, data)
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["Update recorded: the recommendation is now “committed”."]
    assert Recommendation.objects.get(pk=recommendation.pk).current_status == "committed"


def test_the_recommendation_page_shows_its_status_and_whether_it_is_overdue(officer):
    case = make_case()
    late = make_recommendation(case, issued_on=datetime.date(2020, 3, 20))
    answered = make_recommendation(case, issued_on=datetime.date(2020, 3, 20))
    make_update(answered, "implemented", datetime.date(2020, 6, 1))

    page = officer.get(reverse("admin:cases_recommendation_change", args=[late.pk]))
    status = page.content.decode().split('id="recommendation-status"')[1].split("</p>")[0]
    assert "<strong>pending</strong>" in status and "no update yet" in status
    assert "Overdue: nothing new for more than 90 days." in status

    page = officer.get(reverse("admin:cases_recommendation_change", args=[answered.pk]))
    status = page.content.decode().split('id="recommendation-status"')[1].split("</p>")[0]
    assert "<strong>implemented</strong>" in status and "1 June 2020" in status
    assert "not overdue" in status


# --- 3. Refusals that say what happened and what to do -----------------------------------------


def test_a_refused_page_is_the_project_s_403_page_that_says_what_to_do(client):
    contributor = log_in(client, make_staff("contributor"))
    case = make_case()
    response = contributor.get(reverse("admin:cases_case_delete", args=[case.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not do this" in page and "nothing was changed" in page
    assert "ask an administrator for the role, or ask a publisher to do it" in page
    assert f'href="{reverse("admin:index")}"' in page


def test_view_on_site_is_offered_only_for_what_the_public_sees(officer):
    draft = make_case(published=False)
    page = officer.get(reverse("admin:cases_case_change", args=[draft.pk])).content.decode()
    assert "View on site" not in page and draft.get_absolute_url() not in page
    public = make_case()
    page = officer.get(reverse("admin:cases_case_change", args=[public.pk])).content.decode()
    assert "View on site" in page and f'href="{public.get_absolute_url()}"' in page
    # A published alert of an unpublished case is not on the public site either.
    alert = make_alert(draft)
    page = officer.get(reverse("admin:cases_alert_change", args=[alert.pk])).content.decode()
    assert "View on site" not in page


def test_a_too_long_headline_is_refused_with_its_limit_not_cut(officer):
    case = make_case()
    url = reverse("admin:cases_alert_add") + f"?case={case.pk}"
    page = officer.get(url)
    assert 'maxlength="200"' not in page.content.decode()  # the browser would cut it
    data = form_data(page)
    data.update(
        {
            "date": "2019-10-01",
            "kind": "search",
            "title_en": "H" * 243,
            "description_en": "Police searched the home.",
            "verification": "reported",
        }
    )
    response = officer.post(url, data)
    assert response.status_code == 200
    assert (
        "This is 243 characters long, and at most 200 characters are allowed."
        in response.content.decode()
    )
    assert response.context["adminform"].form["title_en"].value() == "H" * 243


def test_a_3_mb_form_ends_on_a_400_page_that_says_how_to_keep_the_work(officer):
    case = make_case()
    url = reverse("admin:cases_alert_add") + f"?case={case.pk}"
    data = form_data(officer.get(url))
    data.update({"title": "Long", "description": "x" * 3 * 1024 * 1024})
    response = officer.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Too much to send at once" in page and "nothing of it was saved" in page
    assert "2.5\xa0MB at most" in page
    assert "Go back with your browser's Back button." in page
    assert not Alert.objects.filter(case=case).exists()


# --- 4. History --------------------------------------------------------------------------------


def _history_of_two_versions(officer):
    alert = make_alert(make_case(), title="The home was searched")
    change = reverse("admin:cases_alert_change", args=[alert.pk])
    data = form_data(officer.get(change))
    data["title_en"] = "The Brussels home was searched at dawn"
    assert officer.post(change, data).status_code == 302
    first = alert.history.order_by("history_date").first()
    return alert, first


def test_the_revert_message_gives_the_version_s_time_as_the_list_shows_it(officer, settings):
    settings.TIME_ZONE = "Europe/Brussels"
    alert, first = _history_of_two_versions(officer)
    first.history_date = datetime.datetime(2026, 1, 15, 8, 30, tzinfo=datetime.UTC)
    first.save()
    history = officer.get(reverse("admin:cases_alert_history", args=[alert.pk])).content.decode()
    assert "15 January 2026, 09:30" in history  # 08:30 UTC is 09:30 in Brussels
    url = reverse("admin:cases_alert_simple_history", args=[alert.pk, first.history_id])
    assert "Version of 15 January 2026, 09:30" in officer.get(url).content.decode()
    response = officer.post(url)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [
        "“1 October 2019: The home was searched” is back to the version of 15 January 2026, 09:30."
    ]
    latest = alert.history.order_by("-history_date").first()
    assert latest.history_change_reason == "Reverted to the version of 15 January 2026, 09:30"


def test_the_history_says_where_to_click_to_revert(officer):
    alert, first = _history_of_two_versions(officer)
    page = officer.get(reverse("admin:cases_alert_history", args=[alert.pk])).content.decode()
    assert "Choose a date" not in page
    assert "open it by its name in the first column (“Version”)" in page
    assert '<th scope="col">Version (open to revert)</th>' in page
    revert = reverse("admin:cases_alert_simple_history", args=[alert.pk, first.history_id])
    assert f'<a href="{revert}">' in page


def test_the_revert_preview_marks_what_differs(officer):
    alert, first = _history_of_two_versions(officer)
    url = reverse("admin:cases_alert_simple_history", args=[alert.pk, first.history_id])
    page = officer.get(url).content.decode()
    now = page.split('<td class="revert-now">')[1].split("</td>")[0]
    after = page.split('<td class="revert-after">')[1].split("</td>")[0]
    assert now == "The<del> Brussels</del> home was searched<del> at dawn</del>"
    assert after == "The home was searched"


# --- 6. The staff search finds defenders by misspelled names, and their records -----------------


def _staff_search(client, q):
    response = client.get(reverse("admin:search"), {"q": q})
    assert response.status_code == 200
    return {
        group.kind: [(result.title, result.matched) for result in group.results]
        for group in response.context["groups"]
    }


@pytest.mark.parametrize("query", ["Jardimalie", "Jardemallie", "jardemalie"])
def test_the_staff_search_finds_her_and_her_records_by_a_misspelling(client, jardemalie, query):
    log_in(client, make_staff("case-officer"))
    results = _staff_search(client, query)
    assert results["defender"][0][0] == "Botagoz Jardemalie"
    assert "Botagoz Jardemalie: a refugee lawyer pursued by Kazakhstan in Belgium" in [
        title for title, _matched in results["case"]
    ]
    assert results["alert"] and results["appeal"] and results["recommendation"]


def test_it_says_which_other_name_matched(client, jardemalie):
    log_in(client, make_staff("case-officer"))
    assert _staff_search(client, "Jardimalie")["defender"][0] == (
        "Botagoz Jardemalie",
        "Bota Jardimalie",
    )
    page = client.get(reverse("admin:search"), {"q": "Bota Jardimalie"}).content.decode()
    assert "Found by another of the names: “Bota Jardimalie”" in page
    # Her public name matches best: no other name is named.
    assert _staff_search(client, "Botagoz Jardemalie")["defender"][0] == ("Botagoz Jardemalie", "")


def test_a_protected_defender_s_other_names_stay_hidden_without_the_permission(client, db):
    case = make_case(title="A case with a protected defender")
    defender = make_defender(
        case, public_name="Pseudonym Nine", name="Qwelmira Trosk", identity_protected=True
    )
    Alias.objects.create(defender=defender, name="Qwelmira Troskova", kind="misspelling")
    contributor = log_in(client, make_staff("contributor"))
    for query in ("Qwelmira", "Troskova", "Trosková", "Qwelmyra"):
        results = _staff_search(contributor, query)
        assert results.get("defender", []) == [] and results.get("case", []) == [], query
        page = contributor.get(reverse("admin:search"), {"q": query}).content.decode()
        assert "Troskova" not in page.replace(query, "")
    officer = log_in(Client(), make_staff("case-officer"))
    results = _staff_search(officer, "Troskowa")
    assert results["defender"] == [("Pseudonym Nine (Qwelmira Trosk)", "Qwelmira Troskova")]
    assert results["case"] == [("A case with a protected defender", "")]


# --- 5. Layout and words -------------------------------------------------------------------------


def test_the_menu_groups_the_records_and_hides_the_link_tables(officer):
    page = officer.get(reverse("admin:index"))
    menu = {
        app["name"]: [m["object_name"] for m in app["models"]] for app in page.context["app_list"]
    }
    assert menu["Cases and their timelines"] == ["Alert", "Case", "Defender"]
    assert set(menu["Appeals and recommendations"]) == {
        "Appeal",
        "Recommendation",
        "RecommendationUpdate",
    }
    listed = {name for models in menu.values() for name in models}
    hidden = {"CaseDefender", "Alias", "RequestedAction", "Addressee", "Citation", "ActionTally"}
    assert not listed & hidden
    # Still reachable where they are needed: their own pages and their lists.
    case = make_case()
    defender = make_defender(case)
    link = defender.case_links.get()
    assert (
        officer.get(reverse("admin:cases_casedefender_change", args=[link.pk])).status_code == 200
    )
    assert officer.get(reverse("admin:cases_citation_changelist")).status_code == 200


def test_the_partial_date_is_labelled_in_plain_words(officer):
    case = make_case()
    page = officer.get(reverse("admin:cases_alert_add") + f"?case={case.pk}").content.decode()
    assert "Known to the" not in page
    assert "How precisely the date is known" in page and ">to the month only</option>" in page
    assert "The date is" in page and ">approximate (about)</option>" in page


def test_a_case_officer_is_told_in_plain_words_who_publishes_their_appeal(officer, client):
    author = get_user_model().objects.get(pk=officer.session["_auth_user_id"])
    appeal = make_urgent_appeal(make_case(), author, state="in_review")
    page = officer.get(reverse("admin:cases_appeal_change", args=[appeal.pk])).content.decode()
    assert "another publisher" not in page
    assert "waiting for a publisher: only staff with the Publisher role can review and publish" in (
        page
    )


def test_dates_are_shown_in_one_style(officer):
    case = make_case(opened_on=datetime.date(2019, 10, 1))
    make_alert(case, date=datetime.date(2019, 10, 1))
    make_appeal(case, date=datetime.date(2020, 3, 20))
    make_recommendation(case, issued_on=datetime.date(2020, 3, 20))
    page = officer.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    records = page[page.index("Timeline (latest alerts)") :]
    assert records.count("1 October 2019") == 1 and records.count("20 March 2020") == 2
    listing = officer.get(reverse("admin:cases_case_changelist")).content.decode()
    assert "1 October 2019" in listing  # the last alert
    for other_style in ("Oct. 1, 2019", "March 20, 2020", "2020-03-20", "2019-10-01"):
        assert other_style not in records and other_style not in listing


def test_a_failed_form_check_says_what_to_do(db):
    response = Client(enforce_csrf_checks=True).post(reverse("two_factor:login"), {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "The form could not be checked" in page and "nothing was saved" in page
    assert "copy what you typed, then reload the page" in page


def test_what_happened_has_a_larger_box(officer):
    case = make_case()
    page = officer.get(reverse("admin:cases_alert_add") + f"?case={case.pk}").content.decode()
    box = page[page.index('<textarea name="description_en"') :].split(">")[0]
    assert 'rows="12"' in box
