"""
The interface in the reader's language: the public pages, an error page and the staff login in
French, Spanish and Russian, with no English interface text left, dates and numbers written as
each language writes them, and country names in the language.
"""

import datetime

import pytest
from django.utils import formats, translation

pytestmark = pytest.mark.django_db

# A few interface texts per page, in English and as each catalogue translates them.
HOME = {
    "en": ["Latest appeals", "Cases recently updated", "Skip to content", "All cases"],
    "fr": ["Derniers appels", "Cas récemment mis à jour", "Aller au contenu", "Tous les cas"],
    "es": [
        "Últimos llamamientos",
        "Casos actualizados recientemente",
        "Ir al contenido",
        "Todos los casos",
    ],
    "ru": ["Последние призывы", "Недавно обновлённые дела", "Перейти к содержанию", "Все дела"],
}
CASE_LIST = {
    "en": ["Apply filters", "State of concern", "Other state involved"],
    "fr": ["Appliquer les filtres", "État concerné", "Autre État concerné"],
    "es": ["Aplicar los filtros", "Estado en cuestión", "Otro Estado implicado"],
    "ru": ["Применить фильтры", "Соответствующее государство", "Другое причастное государство"],
}
NOT_FOUND = {
    "en": ["Page not found", "See all cases", "See all appeals"],
    "fr": ["Page introuvable", "Voir tous les cas", "Voir tous les appels"],
    "es": ["Página no encontrada", "Ver todos los casos", "Ver todos los llamamientos"],
    "ru": ["Страница не найдена", "Все дела", "Все призывы"],
}
LOGIN = {
    "en": ["· staff", ">Cancel<"],
    "fr": ["· équipe", ">Annuler<"],
    "es": ["· equipo", ">Cancelar<"],
    "ru": ["· сотрудники", ">Отмена<"],
}
LANGUAGES = ["fr", "es", "ru"]


def get(client, url, language):
    """The page in `language`: the public site at its address in that language (/fr/...),
    the staff login as a browser that asks for it."""
    if language != "en" and not url.startswith("/account/"):
        url = f"/{language}{url}"
    with translation.override(language):
        return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def assert_in_language(response, texts, language, status=200):
    assert response.status_code == status
    page = response.content.decode()
    assert f'lang="{language}"' in page
    for text in texts[language]:
        assert text in page, f"{text!r} missing from the {language} page"
    for text in texts["en"]:
        if text not in texts[language]:
            assert text not in page, f"English {text!r} on the {language} page"


def test_the_english_texts_are_the_pages_own(client, jardemalie):
    """The English texts the other tests look for are really on the pages."""
    assert_in_language(get(client, "/", "en"), HOME, "en")
    assert_in_language(get(client, "/cases/", "en"), CASE_LIST, "en")
    assert_in_language(get(client, "/no-such-page/", "en"), NOT_FOUND, "en", status=404)
    assert_in_language(get(client, "/account/login/", "en"), LOGIN, "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_page_is_in_the_readers_language(client, jardemalie, language):
    assert_in_language(get(client, "/", language), HOME, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_case_list_is_in_the_readers_language(client, jardemalie, language):
    assert_in_language(get(client, "/cases/", language), CASE_LIST, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_page_says_so_in_the_readers_language(client, db, language):
    response = get(client, "/no-such-page/", language)
    assert_in_language(response, NOT_FOUND, language, status=404)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_login_is_in_the_staff_members_language(client, db, language):
    assert_in_language(get(client, "/account/login/", language), LOGIN, language)


@pytest.mark.parametrize(
    ("language", "date"),
    [
        ("en", "21 January 2025"),
        ("fr", "21 janvier 2025"),
        ("es", "21 de enero de 2025"),
        ("ru", "21 января 2025 г."),
    ],
)
def test_public_dates_are_written_as_the_language_writes_them(client, jardemalie, language, date):
    # The OIAD statement of 21 January 2025, the latest appeal on the home page.
    assert date in get(client, "/", language).content.decode()


@pytest.mark.parametrize(
    ("language", "number"),
    [("en", "12,345.5"), ("fr", "12\xa0345,5"), ("es", "12.345,5"), ("ru", "12\xa0345,5")],
)
def test_numbers_are_written_as_the_language_writes_them(language, number):
    with translation.override(language):
        assert formats.number_format(12345.5, 1, force_grouping=True) == number


@pytest.mark.parametrize(
    ("language", "dates"),
    [
        ("en", ["4 March 2026", "March 2026"]),
        ("fr", ["4 mars 2026", "mars 2026"]),
        ("es", ["4 de marzo de 2026", "marzo de 2026"]),
        ("ru", ["4 марта 2026 г.", "Март 2026 г."]),
    ],
)
def test_a_partial_date_is_written_in_the_language(language, dates):
    from cases.models.base import DatePrecision, format_partial_date

    day = datetime.date(2026, 3, 4)
    with translation.override(language):
        assert format_partial_date(day, DatePrecision.DAY) == dates[0]
        assert format_partial_date(day, DatePrecision.MONTH) == dates[1]


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Kazakhstan", "Belgium"]),
        ("fr", ["Kazakhstan", "Belgique"]),
        ("es", ["Kazajistán", "Bélgica"]),
        ("ru", ["Казахстан", "Бельгия"]),
    ],
)
def test_country_names_are_in_the_readers_language(client, jardemalie, language, names):
    for url in (jardemalie.get_absolute_url(), "/cases/"):
        page = get(client, url, language).content.decode()
        for name in names:
            assert name in page, f"{name!r} missing from {url} in {language}"
