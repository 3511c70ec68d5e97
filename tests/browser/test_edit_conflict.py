"""Two staff edit the same case in two browsers: the second sees what the first changed, field
by field, chooses, and saves; the page breaks no Content-Security-Policy rule."""

import pytest

from tests.browser.test_csp import RECORD_VIOLATIONS, watch
from tests.factories import device_code, make_case, make_staff, make_totp_device

pytestmark = pytest.mark.django_db(transaction=True)


def _logged_in(new_page, live_server, username):
    user = make_staff("publisher", username=username, full_name=username.title())
    device = make_totp_device(user)
    page = new_page("about:blank")
    page.context.add_init_script(RECORD_VIOLATIONS)
    violations = watch(page)
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Token").fill(device_code(device))
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/admin/")
    return page, violations


def test_the_second_editor_chooses_field_by_field_and_saves(new_page, live_server):
    case = make_case(title="Before", summary="Summary before.")
    url = f"/admin/cases/case/{case.pk}/change/"
    maria, _ = _logged_in(new_page, live_server, "maria")
    sam, violations = _logged_in(new_page, live_server, "sam")
    maria.goto(live_server.url + url)
    sam.goto(live_server.url + url)

    maria.locator("#id_summary_en").fill("Maria's summary.")
    maria.get_by_role("button", name="Save", exact=True).click()
    maria.wait_for_url("**/admin/cases/case/")

    sam.locator("#id_summary_en").fill("Sam's summary.")
    sam.locator("#id_title_en").fill("Sam's title")
    sam.get_by_role("button", name="Save", exact=True).click()
    conflicts = sam.locator(".edit-conflicts")
    conflicts.wait_for()
    assert "Maria changed this case" in conflicts.inner_text()
    row = conflicts.locator("tr", has_text="public summary")
    assert "Maria's summary." in row.inner_text() and "Sam's summary." in row.inner_text()
    assert sam.locator("#id_title_en").input_value() == "Sam's title"  # nothing typed is lost

    row.get_by_label("theirs").check()
    sam.get_by_role("button", name="Save", exact=True).click()
    sam.wait_for_url("**/admin/cases/case/")
    case.refresh_from_db()
    assert (case.summary, case.title) == ("Maria's summary.", "Sam's title")
    assert violations() == []
