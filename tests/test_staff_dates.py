"""
Dates typed in the staff workspace are read day first, in the order the language writes them,
shown back in words before they are saved, and refused when they read only month first or
could fall in two centuries: "04/03/2026" is 4 March 2026, never 3 April.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from cases.admin.dates import DayFirstDateField, read_date
from cases.models import Alert
from tests.admin_forms import form_data
from tests.factories import log_in, make_case, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    return log_in(client, make_staff("case-officer"))


def _alert_form(officer, case, date, **extra):
    url = reverse("admin:cases_alert_add") + f"?case={case.pk}"
    data = form_data(officer.get(url))
    data.update(
        {
            "date": date,
            "kind": "search",
            "title": "The home was searched",
            "description": "Police searched the home.",
            "verification": "reported",
            **extra,
        }
    )
    return url, data


def test_it_never_reads_04_03_2026_as_3_april(officer):
    case = make_case()
    url, data = _alert_form(officer, case, "04/03/2026")
    # The first save shows the reading in words and saves nothing.
    response = officer.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "is read day first, as Wednesday 4 March 2026" in page
    assert "Read as: Wednesday 4 March 2026" in page
    assert not Alert.objects.filter(case=case).exists()
    # Saving the same text again, its reading now shown, confirms it.
    data["date__shown"] = "04/03/2026"
    assert officer.post(url, data).status_code == 302
    assert Alert.objects.get(case=case).date == datetime.date(2026, 3, 4)


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("2026-04-03", datetime.date(2026, 4, 3)),
        ("24/03/2026", datetime.date(2026, 3, 24)),
        ("24.03.2026", datetime.date(2026, 3, 24)),
        ("04/04/2026", datetime.date(2026, 4, 4)),
        ("4 March 2026", datetime.date(2026, 3, 4)),
        ("March 4, 2026", datetime.date(2026, 3, 4)),
    ],
)
def test_it_saves_at_once_what_can_be_read_only_one_way(officer, typed, saved):
    case = make_case()
    url, data = _alert_form(officer, case, typed)
    response = officer.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert Alert.objects.get(case=case).date == saved


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("03/24/2026", "“03/24/2026” reads month first: write the day first (24/03/2026)"),
        ("04/03/26", "Give the year in four digits"),
        ("31/02/2026", "There is no such date as “31/02/2026”."),
        ("next tuesday", "Type a date as 2026-03-04, 04/03/2026 or 4 March 2026."),
    ],
)
def test_it_refuses_what_it_would_have_to_guess(officer, typed, message):
    case = make_case()
    url, data = _alert_form(officer, case, typed, date__shown=typed)
    response = officer.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Alert.objects.filter(case=case).exists()


def test_an_unchanged_date_saves_without_asking(officer):
    case = make_case()
    url, data = _alert_form(officer, case, "2019-10-01")
    assert officer.post(url, data).status_code == 302
    alert = Alert.objects.get(case=case)
    change = reverse("admin:cases_alert_change", args=[alert.pk])
    page = officer.get(change)
    data = form_data(page)
    assert data["date"] == "2019-10-01"
    assert "Read as: Tuesday 1 October 2019" in page.content.decode()
    data["title_en"] = "The home was searched by police"
    assert officer.post(change, data).status_code == 302


def test_french_reads_day_first_with_french_month_names():
    with translation.override("fr"):
        assert read_date("4 mars 2026") == (datetime.date(2026, 3, 4), False)
        assert read_date("1er févr. 2026") == (datetime.date(2026, 2, 1), False)
        assert read_date("04/03/2026") == (datetime.date(2026, 3, 4), True)
        field = DayFirstDateField()
        with pytest.raises(Exception, match="lu le jour en premier|read day first"):
            field.clean("04/03/2026")


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("fr", "4 mars 2026"),
        ("es", "4 de marzo de 2026"),
        ("ru", "4 марта 2026"),
        ("ru", "4 марта 2026 г."),
    ],
)
def test_it_reads_a_month_name_in_the_staff_members_language(officer, language, typed):
    case = make_case()
    url, data = _alert_form(officer, case, typed)
    response = officer.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302
    assert Alert.objects.get(case=case).date == datetime.date(2026, 3, 4)


@pytest.mark.parametrize("language", ["en", "fr", "es", "ru"])
def test_04_03_2026_is_4_march_in_every_language_and_is_confirmed_first(officer, language):
    case = make_case()
    url, data = _alert_form(officer, case, "04/03/2026")
    with translation.override(language):
        words = DayFirstDateField().widget.render("date", "2026-03-04")
        assert read_date("04/03/2026") == (datetime.date(2026, 3, 4), True)
        assert read_date("04.03.2026") == (datetime.date(2026, 3, 4), True)
        assert read_date("04-03-2026") == (datetime.date(2026, 3, 4), True)
    # The first save is refused with the date in words, in the page's language.
    response = officer.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    reading = words.split('aria-live="polite">')[1].split("</span>")[0]
    assert reading in response.content.decode()
    assert not Alert.objects.filter(case=case).exists()
    data["date__shown"] = "04/03/2026"
    assert officer.post(url, data, HTTP_ACCEPT_LANGUAGE=language).status_code == 302
    assert Alert.objects.get(case=case).date == datetime.date(2026, 3, 4)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Wednesday 4 March 2026"),
        ("fr", "mercredi 4 mars 2026"),
        ("es", "miércoles 4 de marzo de 2026"),
        ("ru", "Среда 4 марта 2026 г."),
    ],
)
def test_a_date_is_read_back_in_words_as_the_language_writes_it(language, words):
    with translation.override(language):
        assert read_date("2026-03-04") == (datetime.date(2026, 3, 4), False)
        assert f"{words}" in DayFirstDateField().widget.render("date", "2026-03-04")


def test_spanish_and_russian_read_day_first_with_their_month_names():
    with translation.override("es"):
        assert read_date("4 de marzo de 2026") == (datetime.date(2026, 3, 4), False)
        assert read_date("1 de feb. de 2026") == (datetime.date(2026, 2, 1), False)
        assert read_date("4 marzo 2026") == (datetime.date(2026, 3, 4), False)
    with translation.override("ru"):
        assert read_date("4 марта 2026") == (datetime.date(2026, 3, 4), False)
        assert read_date("4 мая 2026 года") == (datetime.date(2026, 5, 4), False)
        assert read_date("4 март 2026") == (datetime.date(2026, 3, 4), False)
    with translation.override("ru"), pytest.raises(Exception, match="03/24/2026|24"):
        read_date("03/24/2026")
