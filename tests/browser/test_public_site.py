"""A reader's path through the public site, in a real browser, with the Jardemalie case."""

import re

import pytest

from cases.models import Addressee, Alert, Appeal, Authority, RequestedAction

pytestmark = pytest.mark.django_db(transaction=True)

# What a reader meets: every one must fit a 360-pixel-wide phone.
MAIN_PAGES = [
    "/",
    "/cases/",
    "/cases/?state=KZ",
    "/cases/botagoz-jardemalie/",
    "/appeals/",
    "/recommendations/",
    "/countries/",
    "/countries/be/",
    "/sources/",
    "/defenders/botagoz-jardemalie/",
    "/no-such-page/",
]


@pytest.fixture
def take_action(jardemalie):
    """The demo's historical appeals list no addressees: give the urgent appeal some."""
    appeal = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    minister = Authority.objects.get(office_holder="Koen Geens")
    minister.postal_address = "Boulevard de Waterloo 115\n1000 Brussels"
    minister.email = "minister@example.org"
    minister.save()
    Addressee.objects.create(appeal=appeal, authority=minister)
    RequestedAction.objects.create(
        appeal=appeal, position=1, text="Return the seized files.", target_state="BE"
    )
    RequestedAction.objects.create(
        appeal=appeal, position=2, text="Stop the cooperation.", target_state="BE"
    )
    return appeal


def test_it_walks_from_the_home_page_to_a_disputed_alert_without_javascript(new_page, jardemalie):
    page = new_page("/", java_script_enabled=False)
    assert page.locator("h1").inner_text() == "Observatory"
    assert page.get_by_role("heading", name="Latest appeals").is_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_label("State of concern").select_option("KZ")
    page.get_by_role("button", name="Apply filters").click()
    assert "state=KZ" in page.url
    assert page.locator(".result-count").inner_text() == "1 case"
    assert page.get_by_label("State of concern").input_value() == "KZ"

    page.get_by_role("link", name=jardemalie.title).click()
    assert page.locator("h1").inner_text() == jardemalie.title
    timeline = page.locator("ol.timeline > li")
    assert timeline.count() == Alert.objects.published().filter(case=jardemalie).count()
    dates = timeline.locator(".when time").all_inner_texts()
    assert "2013" in dates and "1 October 2019" in dates
    assert any(re.fullmatch(r"[A-Z][a-z]+ \d{4}", date) for date in dates)  # month precision

    disputed = page.locator("ol.timeline > li.disputed").first
    assert "disputed" in disputed.locator(".when").inner_text()
    assert "The sources disagree" in disputed.inner_text()
    versions = disputed.get_by_role("list", name="What each source says").locator("li")
    assert versions.count() >= 2
    reference = versions.first.locator("a.ref")
    target = reference.get_attribute("href")
    reference.click()
    assert page.url.endswith(target)
    assert page.locator(target).is_visible()


def test_it_follows_an_atom_feed_link(new_page, jardemalie):
    page = new_page(jardemalie.get_absolute_url())
    alternates = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert alternates.count() == 3  # all appeals, this case's timeline, this case's appeals
    link = page.get_by_role("link", name="Timeline feed (Atom)")
    with page.expect_response(re.compile(r"timeline\.atom$")) as response_info:
        link.click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    body = response.text()
    assert "<feed" in body and "Her Brussels home searched" in body


def test_it_opens_an_appeal_and_its_take_action_section(new_page, take_action):
    page = new_page("/appeals/")
    page.get_by_label("Kind").select_option("urgent_appeal")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=take_action.title).click()

    assert page.locator(".code").first.inner_text() == "KAZ 001 / 0720 / OBS 086"
    actions = page.locator("ol.requested-actions > li")
    assert actions.all_inner_texts()[0].startswith("Return the seized files.")
    assert actions.count() == 2
    section = page.get_by_role("region", name="Take action")
    assert section.is_visible()
    text = section.inner_text()
    assert "Koen Geens, Minister of Justice" in text
    assert "Dear Minister," in text and "1000 Brussels" in text
    assert section.get_by_role("link", name="minister@example.org").get_attribute("href") == (
        "mailto:minister@example.org"
    )

    # Printed, the page is the appeal and who to write to: no navigation, no footer.
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert section.is_visible()


def test_keyboard_alone_reaches_and_uses_the_filters(new_page, jardemalie):
    page = new_page("/cases/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    box = page.locator(".skip-link").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0  # shown on screen when focused

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_state"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible

    page.keyboard.press("ArrowDown")  # the first state after "All"
    while page.evaluate("document.activeElement.tagName") != "BUTTON":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"state=KZ"))
    assert page.locator(".result-count").inner_text() == "1 case"


def test_a_360_pixel_wide_phone_never_scrolls_sideways(new_page, take_action):
    page = new_page("/", viewport={"width": 360, "height": 740})
    for path in [*MAIN_PAGES, take_action.get_absolute_url()]:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
