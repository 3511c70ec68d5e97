"""
A reader who wants to act, in a real browser and without JavaScript: the model letter edited in
the page and sent back as e-mail links and printed letters (one per page), and the report of
what they did.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from cases.models import ActionTally, Addressee, Appeal, Authority, RequestedAction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def appeal(jardemalie):
    """The urgent appeal with two requested actions and two authorities to write to."""
    appeal = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    minister = Authority.objects.get(office_holder="Koen Geens")
    minister.postal_address = "Boulevard de Waterloo 115\n1000 Brussels"
    minister.email = "minister@example.org"
    minister.languages = "French, Dutch or English"
    minister.save()
    court = Authority.objects.get(pk=7)
    court.salutation = "Dear President,"
    court.email = "court@example.org"
    court.save()
    Addressee.objects.create(appeal=appeal, authority=minister, position=1)
    Addressee.objects.create(appeal=appeal, authority=court, position=2)
    RequestedAction.objects.create(
        appeal=appeal, position=1, text="Return the seized files.", target_state="BE"
    )
    RequestedAction.objects.create(
        appeal=appeal, position=2, text="Stop the cooperation.", target_state="BE"
    )
    return appeal


def test_the_appeal_opens_with_what_to_do_of_whom_and_by_when(new_page, appeal):
    page = new_page(appeal.get_absolute_url(), java_script_enabled=False)
    box = page.get_by_role("complementary", name="What you can do")
    text = box.inner_text()
    assert "Return the seized files." in text and "(and 1 more action)" in text
    assert "Koen Geens" in text
    assert "this appeal sets no date" in text
    box.get_by_role("link", name="Take action: the addresses and a model letter").click()
    assert page.url.endswith("#take-action-section")
    assert "Write in: French, Dutch or English" in page.locator(".addressees").inner_text()


def test_the_model_letter_is_edited_in_the_page_and_sent_by_e_mail(new_page, appeal):
    page = new_page(appeal.get_absolute_url(), java_script_enabled=False)
    # Before any edit, each addressee has a mailto: with the subject and the model letter.
    mailto = page.get_by_role("link", name="Write to Koen Geens with the model letter")
    query = parse_qs(urlsplit(mailto.get_attribute("href")).query)
    assert query["subject"] == [f"{appeal.title} (KAZ 001 / 0720 / OBS 086)"]
    assert query["body"][0].startswith("Dear Minister,\r\n\r\nI am writing to you about")
    assert "1. Return the seized files.\r\n2. Stop the cooperation." in query["body"][0]

    letter = page.get_by_label("Your letter")
    assert "KAZ 001 / 0720 / OBS 086" in letter.input_value()
    letter.fill("I wrote this myself.\n\nPlease return her files.\n\nA. Reader")
    page.get_by_role("button", name="Prepare my letters").click()

    assert page.get_by_role("heading", name="Your letters").is_visible()
    assert "is not kept" in page.locator(".notice").inner_text()
    send = page.get_by_role("link", name="Send the letter to Koen Geens by e-mail")
    href = send.get_attribute("href")
    assert href.startswith("mailto:minister@example.org?")
    body = parse_qs(urlsplit(href).query)["body"][0]
    assert body == (
        "Dear Minister,\r\n\r\nI wrote this myself.\r\n\r\n"
        "Please return her files.\r\n\r\nA. Reader"
    )
    court = page.get_by_role("link", name="Send the letter to Brussels Court of Appeal").filter(
        has_text="by e-mail"
    )
    assert parse_qs(urlsplit(court.get_attribute("href")).query)["body"][0].startswith(
        "Dear President,"
    )


def test_the_printed_letters_are_one_per_addressee_one_per_page(new_page, appeal):
    page = new_page(f"/appeals/{appeal.pk}/letters/", java_script_enabled=False)
    letters = page.locator("section.letter")
    assert letters.count() == 2
    first = letters.first.inner_text()
    assert "KAZ 001 / 0720 / OBS 086" in first and appeal.title in first
    assert "Dear Minister," in first and "Boulevard de Waterloo 115" in first
    assert "Dear President," in letters.nth(1).inner_text()

    page.emulate_media(media="print")
    assert not page.locator(".letters-intro").is_visible()
    assert not page.locator(".site-header").is_visible()
    breaks = letters.evaluate_all("els => els.map(e => getComputedStyle(e).breakAfter)")
    assert breaks == ["page", "auto"]
    pdf = page.pdf(format="A4")
    assert (
        pdf.count(b"/Type /Page\n")
        + pdf.count(b"/Type /Page\r")
        + pdf.count(b"/Type /Page>>")
        + pdf.count(b"/Type /Page ")
        >= 2
    )


def test_a_reader_tells_us_what_they_did_and_the_count_shows_it(new_page, appeal):
    page = new_page(appeal.get_absolute_url(), java_script_enabled=False)
    report = page.get_by_role("region", name="Tell us what you did")
    assert "0 readers have told us they wrote." in report.inner_text()
    report.get_by_label("Koen Geens (Ministry of Justice of Belgium)").check()
    report.get_by_role("button", name="I wrote").click()

    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert "We have counted your letter." in page.locator("main").inner_text()
    minister = appeal.addressees.get(authority__office_holder="Koen Geens")
    assert ActionTally.objects.get(appeal=appeal, addressee=None).count == 1
    assert ActionTally.objects.get(appeal=appeal, addressee=minister).count == 1
    assert not ActionTally.objects.filter(appeal=appeal, addressee__authority__pk=7).exists()

    page.get_by_role("link", name="Back to the appeal").click()
    assert "1 reader has told us they wrote." in page.locator(".report").inner_text()

    # Nothing ticked: the form says so, and nothing is counted.
    page.get_by_role("button", name="I wrote").click()
    assert "Tick at least one authority" in page.get_by_role("alert").inner_text()
    assert ActionTally.objects.get(appeal=appeal, addressee=None).count == 1
