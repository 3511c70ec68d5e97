"""
The language menu, in a real browser: a reader deep in a page switches language and lands on
the same page, its query kept, in that language.

The menu's links carry the path and the query, never the place within the page (the URL's
fragment): the server never sees a fragment, and the public site has no JavaScript to add it.
A reader switching from a section of a case lands at the top of the same case.
"""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import Alert, Appeal

from .test_accessibility import RULES

pytestmark = pytest.mark.django_db(transaction=True)


def language_menu(page):
    return page.locator("nav.languages")


def switch_to(page, name, path):
    """Follow the menu's link to the language named `name`; its page is at `path`."""
    language_menu(page).get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    page.wait_for_load_state("networkidle")


def current_language(page):
    current = language_menu(page).locator('a[aria-current="true"]')
    assert current.count() == 1
    return current.get_attribute("hreflang")


def test_a_reader_deep_in_a_case_switches_it_to_french(new_page, jardemalie):
    assert jardemalie.title_fr and jardemalie.title_fr != jardemalie.title_en
    path = jardemalie.get_absolute_url()
    assert path == "/cases/botagoz-jardemalie/"
    page = new_page(path)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert current_language(page) == "en"

    # Deep in the page: the latest development, in the timeline, by its anchor.
    latest = page.locator(".case-status a[href^='#alert-']")
    anchor = latest.get_attribute("href")
    latest.click()
    assert page.url.endswith(path + anchor)
    assert page.locator(anchor).is_visible()
    assert page.evaluate("window.scrollY") > 0

    french = language_menu(page).get_by_role("link", name="Français", exact=True)
    assert french.get_attribute("href") == "/fr" + path  # no fragment: see the docstring
    assert french.get_attribute("hreflang") == "fr" and french.get_attribute("lang") == "fr"
    switch_to(page, "Français", "/fr" + path)

    address = urlsplit(page.url)
    assert (address.path, address.query) == ("/fr" + path, "")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == jardemalie.title_fr
    assert page.title().startswith(jardemalie.title_fr)
    assert current_language(page) == "fr"
    # The same alert is at the same anchor of the French page, in French.
    alert = Alert.objects.get(pk=anchor.removeprefix("#alert-"))
    assert alert.title_fr
    assert page.locator(anchor).locator("h3").inner_text() == alert.title_fr

    results = Axe().run(page, options=RULES)
    assert results.violations_count == 0, results.generate_report()


def test_the_language_menu_keeps_the_query(new_page, jardemalie):
    page = new_page("/cases/?state=KZ&q=Jardemalie")
    page.wait_for_load_state("networkidle")
    switch_to(page, "Français", "/fr/cases/?state=KZ&q=Jardemalie")
    assert page.locator("html").get_attribute("lang") == "fr"
    form = page.locator("form.filters")
    assert form.locator("select[name=state]").input_value() == "KZ"
    assert form.locator("input[name=q]").input_value() == "Jardemalie"
    assert page.get_by_role("link", name=jardemalie.title_fr, exact=True).count() == 1

    switch_to(page, "English", "/cases/?state=KZ&q=Jardemalie")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name=jardemalie.title_en, exact=True).count() == 1


def test_an_appeal_stays_the_same_appeal_in_spanish_and_back_in_english(new_page, jardemalie):
    appeal = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    path = appeal.get_absolute_url()
    assert path == f"/appeals/{appeal.pk}/"
    page = new_page(path)
    page.wait_for_load_state("networkidle")
    code = page.locator(".code").first.inner_text()
    assert code == "KAZ 001 / 0720 / OBS 086"
    heading = page.locator("h1").inner_text()

    switch_to(page, "Español", "/es" + path)
    assert page.locator("html").get_attribute("lang") == "es"
    assert current_language(page) == "es"
    assert page.locator(".code").first.inner_text() == code

    switch_to(page, "English", path)
    assert urlsplit(page.url).path == path
    assert page.locator("html").get_attribute("lang") == "en"
    assert current_language(page) == "en"
    assert page.locator(".code").first.inner_text() == code
    assert page.locator("h1").inner_text() == heading
