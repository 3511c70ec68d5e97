"""
Content in several languages (cases/translation.py, cases/multilingual.py): the original kept
in the record's own column, what is missing or outdated, the public site under /fr/, /es/,
/ru/ with true `lang`, Content-Language and hreflang, the note where a text is not translated,
the staff form with every language, and the cost of a page in any language.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases.admin.dashboard import dashboard
from cases.models import Alert, Appeal, Case
from cases.multilingual import (
    CURRENT,
    MISSING,
    ORIGINAL,
    OUTDATED,
    fallbacks,
    shown_language,
    state,
)

from .factories import (
    log_in,
    make_alert,
    make_appeal,
    make_authority,
    make_case,
    make_staff,
    published_appeal_fields,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "es", "ru"]


def _html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


# --- The record ------------------------------------------------------------------------------


def test_the_original_is_in_the_records_own_column_whatever_language_is_active():
    case = make_case(title="A lawyer in exile", summary="The summary.")
    with translation.override("fr"):
        case.title_fr = "Une avocate en exil"
        case.save()
    case.refresh_from_db()
    stored = Case.objects.filter(pk=case.pk).values_list("title", flat=True).rewrite(False)
    assert list(stored) == ["A lawyer in exile"]
    assert case.title_en == "A lawyer in exile"
    with translation.override("fr"):
        assert case.title == "Une avocate en exil"
    with translation.override("en"):
        assert case.title == "A lawyer in exile"


def test_a_translation_is_missing_then_current_then_outdated_when_the_original_changes():
    case = make_case(title="A lawyer in exile", summary="The summary.")
    assert state(case, "en") == ORIGINAL
    assert state(case, "fr") == MISSING
    case.title_fr = "Une avocate en exil"
    case.save()
    assert state(case, "fr") == MISSING  # the summary is not translated yet
    case.summary_fr = "Le résumé."
    case.save()
    assert state(case, "fr") == CURRENT
    case.summary_en = "The summary, corrected."
    case.save()
    case.refresh_from_db()
    assert state(case, "fr") == OUTDATED
    case.summary_fr = "Le résumé, corrigé."
    case.save()
    assert state(case, "fr") == CURRENT


def test_the_history_keeps_every_language_and_a_revert_brings_the_translation_back():
    case = make_case(title="A lawyer in exile")
    case.title_fr = "Une avocate en exil"
    case.save()
    case.title_fr = "Texte erroné"
    case.save()
    versions = list(case.history.order_by("history_date"))
    assert [v.title_fr for v in versions][-2:] == ["Une avocate en exil", "Texte erroné"]


def test_a_reader_is_told_which_language_a_text_is_shown_in():
    case = make_case(title="A lawyer in exile", summary="The summary.")
    case.title_fr = "Une avocate en exil"
    case.save()
    assert shown_language(case, "title", "fr") == "fr"
    assert shown_language(case, "summary", "fr") == "en"
    assert fallbacks(case, "fr") == ["en"]
    assert fallbacks(case, "en") == []


# --- The public site -------------------------------------------------------------------------


@pytest.fixture
def case_in_french(db):
    case = make_case(title="A lawyer in exile", summary="Her home was searched.")
    case.title_fr = "Une avocate en exil"
    case.summary_fr = "Son domicile a été perquisitionné."
    case.save()
    make_alert(case, title="Home searched", description="Agents were present.")
    return case


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_public_page_says_its_language_truly(client, case_in_french, code):
    with translation.override(code):
        urls = [
            reverse("cases:home"),
            reverse("cases:case_list"),
            case_in_french.get_absolute_url(),
            reverse("cases:appeal_list"),
            reverse("cases:recommendation_list"),
            reverse("cases:source_list"),
            reverse("cases:country_list"),
        ]
    for url in urls:
        if code != "en":
            assert url.startswith(f"/{code}/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert _html_lang(response) == code, url
        assert response["Content-Language"] == code, url


def test_the_french_case_page_is_in_french_and_marks_what_is_not(client, case_in_french):
    response = client.get(f"/fr{case_in_french.get_absolute_url()}")
    html = response.content.decode()
    assert "<h1>Une avocate en exil</h1>" in html
    assert "Son domicile a été perquisitionné." in html
    # The alert has no French yet: shown in English, marked, and the reader told.
    assert '<h3 lang="en">Home searched</h3>' in html
    assert 'class="translation-note"' in html


def test_a_page_wholly_in_its_language_has_no_note(client, case_in_french):
    response = client.get(case_in_french.get_absolute_url())
    assert 'class="translation-note"' not in response.content.decode()


def test_hreflang_alternates_and_the_language_menu_keep_the_page(client, case_in_french):
    url = case_in_french.get_absolute_url()
    html = client.get(f"/es{url}?unused=1").content.decode()
    for code in LANGUAGES:
        prefix = "" if code == "en" else f"/{code}"
        assert f'hreflang="{code}" href="http://testserver{prefix}{url}' in html
        assert f'href="{prefix}{url}' in html
    assert 'hreflang="x-default"' in html
    assert 'aria-current="true">Español</a>' in html


def test_a_browser_asking_for_french_on_an_english_address_gets_english(client, case_in_french):
    response = client.get(case_in_french.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")
    assert _html_lang(response) == "en"
    assert "<h1>A lawyer in exile</h1>" in response.content.decode()


def test_the_case_page_costs_the_same_queries_in_every_language(client, case_in_french):
    counts = {}
    url = case_in_french.get_absolute_url()
    for code in LANGUAGES:
        prefix = "" if code == "en" else f"/{code}"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{prefix}{url}").status_code == 200
        counts[code] = len(queries)
    assert len(set(counts.values())) == 1, counts


def test_a_language_prefix_outside_the_languages_is_not_found(client, case_in_french):
    assert client.get(f"/de{case_in_french.get_absolute_url()}").status_code == 404


def test_the_page_cache_keeps_each_language_apart(client, case_in_french, settings):
    settings.PUBLIC_CACHE = True
    url = case_in_french.get_absolute_url()
    english = client.get(url).content.decode()
    french = client.get(f"/fr{url}").content.decode()
    assert "A lawyer in exile</h1>" in english and "Une avocate en exil</h1>" in french
    assert "Une avocate en exil</h1>" in client.get(f"/fr{url}").content.decode()
    assert "A lawyer in exile</h1>" in client.get(url).content.decode()


# --- Appeals: the model letter is in one language --------------------------------------------


def test_the_model_letter_is_in_the_readers_language_only_when_all_of_it_is(client):
    case = make_case()
    appeal = make_appeal(
        case, title="Stop the harassment", body="The situation.", **published_appeal_fields()
    )
    appeal.requested_actions.create(text="Release her", position=1)
    appeal.addressees.create(authority=make_authority(), position=1)
    url = appeal.get_absolute_url()
    html = client.get(f"/fr{url}").content.decode()
    assert 'lang="en" rows="14"' in html  # the letter stays in English
    appeal.title_fr = "Cessez le harcèlement"
    appeal.body_fr = "La situation."
    appeal.save()
    action = appeal.requested_actions.get()
    action.text_fr = "Libérez-la"
    action.save()
    assert 'lang="en" rows="14"' in client.get(f"/fr{url}").content.decode()  # the salutation
    authority = appeal.addressees.get().authority
    authority.name_fr, authority.title_fr = "Ministère de la Justice", "Ministre"
    authority.salutation_fr = "Monsieur le Ministre,"
    authority.save()
    html = client.get(f"/fr{url}").content.decode()
    assert 'lang="fr" rows="14"' in html
    assert "Libérez-la" in html


# --- Staff -----------------------------------------------------------------------------------


def test_the_staff_form_edits_every_language_and_says_what_is_missing(client):
    officer = make_staff("case-officer")
    case = make_case(title="A lawyer in exile", summary="Her home was searched.")
    log_in(client, officer)
    url = reverse("admin:cases_case_change", args=[case.pk])
    html = client.get(url).content.decode()
    for code in LANGUAGES:
        assert f'name="title_{code}"' in html
        assert f'name="summary_{code}"' in html
    assert "French — missing" in html


def test_the_staff_search_finds_a_record_by_its_translation(client):
    officer = make_staff("case-officer")
    case = make_case(title="A lawyer in exile")
    case.title_ru = "Адвокат в изгнании"
    case.save()
    log_in(client, officer)
    response = client.get(reverse("admin:cases_case_changelist"), {"q": "изгнании"})
    assert (
        case.title in response.content.decode() or "A lawyer in exile" in response.content.decode()
    )
    assert response.context["cl"].result_count == 1


def test_the_workspace_is_in_the_staff_members_language(client):
    officer = make_staff("case-officer")
    log_in(client, officer)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "fr"
    assert _html_lang(response) == "fr"


def test_an_appeal_and_alert_carry_their_original_language():
    case = make_case()
    alert = make_alert(case, original_language="fr", title_fr="Perquisition", title_en="")
    assert Alert.objects.get(pk=alert.pk).original_language == "fr"
    assert (
        Alert.objects.filter(pk=alert.pk).rewrite(False).values_list("title", flat=True)[0]
        == "Perquisition"
    )
    appeal = make_appeal(case, language="fr", title="Appel")
    assert Appeal.objects.get(pk=appeal.pk).language == "fr"
    with translation.override("fr"):
        assert state(alert, "en") == MISSING


# --- Feeds and sitemaps ----------------------------------------------------------------------


def test_each_language_has_its_sitemap_sections_with_alternates(client, case_in_french):
    index = client.get("/sitemap.xml").content.decode()
    for section in ("sitemap-cases.xml", "sitemap-cases-fr.xml", "sitemap-cases-ru.xml"):
        assert section in index
    french = client.get("/sitemap-cases-fr.xml").content.decode()
    path = case_in_french.get_absolute_url()
    assert f"<loc>http://testserver/fr{path}</loc>" in french
    for code, prefix in (("en", ""), ("es", "/es"), ("ru", "/ru"), ("x-default", "")):
        assert f'hreflang="{code}" href="http://testserver{prefix}{path}"' in french


def test_feeds_are_in_the_language_of_their_address(client, case_in_french):
    path = case_in_french.get_absolute_url()
    feed = client.get(f"/fr{path}timeline.atom").content.decode()
    assert 'xml:lang="fr"' in feed
    assert "Une avocate en exil" in feed
    assert 'xml:lang="en"' in client.get(f"{path}timeline.atom").content.decode()


# --- Search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "column", "text", "query"),
    [
        ("fr", "summary_fr", "Son domicile a été perquisitionné par la police.", "perquisitionné"),
        ("es", "summary_es", "Su domicilio fue registrado por la policía.", "policía"),
        ("ru", "summary_ru", "Её дом был обыскан полицией.", "обыскан"),
    ],
)
def test_the_public_search_finds_a_case_by_any_of_its_translations(
    client, language, column, text, query
):
    case = make_case(title="A lawyer in exile", summary="Her home was searched.")
    setattr(case, column, text)
    case.save()
    make_case(title="Another case", summary="Nothing of the kind.")
    for prefix in ("", f"/{language}"):
        response = client.get(f"{prefix}{reverse('cases:search')}", {"q": query})
        assert response.status_code == 200
        titles = [r.title for g in response.context["groups"] for r in g.results]
        assert len(titles) == 1, (prefix, titles)


# --- The Translator role, the lists and the dashboard -----------------------------------------


def _form_fields(response):
    form = response.context["adminform"].form
    return set(form.fields)


def test_a_translator_writes_translations_only(client):
    translator = make_staff("translator")
    case = make_case(title="A lawyer in exile", summary="Her home was searched.")
    case.internal_notes = "CONFIDENTIAL-MARKER"
    case.save()
    log_in(client, translator)
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = client.get(url)
    assert response.status_code == 200
    writable = _form_fields(response) - {"edit_version"}
    assert writable == {
        f"{name}_{code}"
        for name in ("title", "summary", "closing_reason")
        for code in ("fr", "es", "ru")
    }
    assert "CONFIDENTIAL-MARKER" not in response.content.decode()
    data = dict.fromkeys(writable, "")
    data.update(
        title_fr="Une avocate en exil",
        summary_fr="Son domicile a été perquisitionné.",
        title_en="Changed by a translator",
        edit_version=response.context["adminform"].form["edit_version"].value(),
        _save="Save",
    )
    for prefix in ("defender_links",):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.title_fr == "Une avocate en exil"
    assert case.title_en == "A lawyer in exile"  # the original is not theirs to write
    assert case.internal_notes == "CONFIDENTIAL-MARKER"


def test_a_translator_adds_deletes_and_publishes_nothing(client):
    translator = make_staff("translator")
    case = make_case(published=False)
    log_in(client, translator)
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    assert client.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403
    assert not translator.has_perm("cases.publish_case")
    assert not translator.has_perm("cases.view_confidential")
    assert not translator.has_perm("cases.change_source")


def test_the_case_list_filters_and_marks_what_is_missing_or_outdated(client):
    officer = make_staff("case-officer")
    missing = make_case(title="Not translated")
    outdated = make_case(title="Translated once", summary="The first summary.")
    outdated.title_fr, outdated.summary_fr = "Traduit une fois", "Le premier résumé."
    outdated.save()
    outdated.summary_en = "The summary, rewritten."
    outdated.save()
    log_in(client, officer)
    changelist = reverse("admin:cases_case_changelist")
    found = client.get(changelist, {"translation": "missing-fr"}).context["cl"].result_list
    assert missing in found and outdated not in found
    found = client.get(changelist, {"translation": "outdated-fr"}).context["cl"].result_list
    assert list(found) == [outdated]
    html = client.get(changelist).content.decode()
    assert "fr: outdated: the original changed since" in html


def test_the_dashboard_lists_the_published_cases_to_translate(client):
    officer = make_staff("case-officer")
    case = make_case(title="Waiting for its translations")
    make_case(title="A draft", published=False)
    log_in(client, officer)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Cases to translate" in html
    (panel,) = [p for p in dashboard(officer) if p["title"] == "Cases to translate"]
    assert [row.pk for row in panel["rows"]] == [case.pk]
    assert panel["rows"][0].dashboard_note == "fr: missing · es: missing · ru: missing"
