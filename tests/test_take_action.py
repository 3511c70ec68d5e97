"""
What a reader who wants to act gets from an appeal: the box at the top, the model letter and its
e-mail links, the letters sent back, the report of what they did (counted, rate-limited,
anonymous), and what the page says once the deadline has passed.
"""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from cases.models import ActionTally, Addressee, RequestedAction
from public import letters

from .factories import make_appeal, make_authority, make_case, published_appeal_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal():
    cache.clear()
    case = make_case(slug="the-case")
    appeal = make_appeal(
        case, reference_code="KAZ 009 / 0124 / OBS 001", **published_appeal_fields()
    )
    RequestedAction.objects.create(appeal=appeal, position=1, text="Free her.", target_state="KZ")
    for n, email in enumerate(["one@example.org", ""]):
        Addressee.objects.create(
            appeal=appeal,
            authority=make_authority(office_holder=f"Holder {n}", email=email),
            position=n,
        )
    return appeal


def _report(client, appeal, *addressees, **headers):
    return client.post(
        reverse("cases:appeal_report", args=[appeal.pk]),
        {"addressee": [str(a.pk) for a in addressees]},
        **headers,
    )


def test_it_opens_with_what_is_asked_of_whom_and_by_when(client, appeal):
    appeal.take_action_before = datetime.date(2099, 1, 1)
    appeal.save()
    page = client.get(appeal.get_absolute_url()).content.decode()
    box = page[page.index('<aside class="action-box"') : page.index("</aside>")]
    assert "Free her." in box and "Holder 0" in box and "1 January 2099" in box
    assert 'href="#take-action-section"' in box


def test_the_model_letter_has_the_salutation_the_actions_and_the_code(appeal):
    body = letters.default_body(appeal, list(appeal.requested_actions.all()))
    assert "(KAZ 009 / 0124 / OBS 001)" in body and "1. Free her." in body
    addressee = appeal.addressees.first()
    assert letters.letter(addressee, body).startswith("Dear Minister,\n\nI am writing")
    query = parse_qs(urlsplit(letters.mailto(addressee, appeal, body)).query)
    assert query["subject"] == [f"{appeal.title} (KAZ 009 / 0124 / OBS 001)"]
    assert query["body"][0].startswith("Dear Minister,\r\n\r\n")
    assert letters.mailto(appeal.addressees.last(), appeal, body) == ""  # no e-mail address


def test_a_letter_sent_back_is_not_cached_and_one_too_long_is_refused(client, appeal):
    url = reverse("cases:appeal_letters", args=[appeal.pk])
    response = client.post(url, {"body": "Mine."})
    assert response.status_code == 200 and "Mine." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    too_long = client.post(url, {"body": "x" * (letters.LETTER_MAX_CHARS + 1)})
    assert too_long.status_code == 400
    assert "longer than" in too_long.content.decode()
    assert client.post(url, {"body": "  "}).status_code == 400


def test_an_appeal_without_addressees_has_no_letters_and_takes_no_report(client):
    appeal = make_appeal(make_case(), **published_appeal_fields())
    assert client.get(reverse("cases:appeal_letters", args=[appeal.pk])).status_code == 404
    assert _report(client, appeal).status_code == 404


def test_a_report_counts_the_reader_and_each_letter(client, appeal):
    first, second = appeal.addressees.all()
    assert _report(client, appeal, first, second).status_code == 200
    assert _report(client, appeal, first, REMOTE_ADDR="192.0.2.9").status_code == 200
    counts = {t.addressee_id: t.count for t in ActionTally.objects.filter(appeal=appeal)}
    assert counts == {None: 2, first.pk: 2, second.pk: 1}
    page = client.get(appeal.get_absolute_url()).content.decode()
    assert "2 readers have told us they wrote." in page


def test_a_report_names_only_the_appeal_s_own_addressees(client, appeal):
    other = Addressee.objects.create(
        appeal=make_appeal(make_case(), **published_appeal_fields()), authority=make_authority()
    )
    response = _report(client, appeal, other)
    assert response.status_code == 400
    assert "Tick at least one authority" in response.content.decode()
    assert not ActionTally.objects.exists()


def test_reports_are_rate_limited_per_reader_without_storing_the_address(client, appeal):
    addressee = appeal.addressees.first()
    for _ in range(letters.REPORTS_PER_HOUR):
        assert _report(client, appeal, addressee, REMOTE_ADDR="198.51.100.4").status_code == 200
    refused = _report(client, appeal, addressee, REMOTE_ADDR="198.51.100.4")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert _report(client, appeal, addressee, REMOTE_ADDR="198.51.100.5").status_code == 200
    assert ActionTally.objects.get(appeal=appeal, addressee=None).count == 4
    keys = " ".join(str(key) for key in getattr(cache, "_cache", {}))  # the local-memory cache
    assert "198.51.100" not in keys


def test_a_report_from_another_site_is_refused(client, appeal):
    addressee = appeal.addressees.first()
    assert _report(client, appeal, addressee, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert _report(client, appeal, addressee, HTTP_ORIGIN="https://evil.example").status_code == 403
    same = _report(client, appeal, addressee, HTTP_ORIGIN="http://testserver")
    assert same.status_code == 200
    assert ActionTally.objects.get(appeal=appeal, addressee=None).count == 1


def test_a_report_is_post_only(client, appeal):
    assert client.get(reverse("cases:appeal_report", args=[appeal.pk])).status_code == 405


def test_after_the_deadline_action_is_closed_or_says_what_to_do_instead(client, appeal):
    appeal.take_action_before = datetime.date(2020, 1, 1)
    appeal.save()
    page = client.get(appeal.get_absolute_url()).content.decode()
    assert "Action on this appeal closed on" in page and "1 January 2020" in page
    assert "Prepare my letters" not in page and "I wrote" not in page
    assert "Please do not write now" in page
    assert _report(client, appeal, appeal.addressees.first()).status_code == 404
    appeal.after_deadline = "Write to the embassy instead."
    appeal.save()
    page = client.get(appeal.get_absolute_url()).content.decode()
    assert "<p>Write to the embassy instead.</p>" in page


def test_a_closed_case_says_why(client, appeal):
    case = appeal.case
    case.status, case.closed_on = "closed", datetime.date(2024, 5, 1)
    case.closing_reason = "She is safe."
    case.save()
    for url in (case.get_absolute_url(), appeal.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "The observatory closed this case on 1 May 2024." in page
        assert "She is safe." in page


def test_a_summary_of_another_organisation_s_text_says_so_and_links_to_it(client, appeal):
    appeal.body_is_summary = True
    appeal.original_url = "https://example.org/original"
    appeal.body = "First paragraph.\nSecond paragraph."
    appeal.save()
    page = client.get(appeal.get_absolute_url()).content.decode()
    assert "What follows is our summary, not the text that" in page
    assert 'href="https://example.org/original"' in page
    assert "<p>First paragraph.</p>\n<p>Second paragraph.</p>" in page
