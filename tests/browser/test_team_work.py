"""
A case officer's team work in the browser: the dashboard's "my work" and reminders, a bulk
action with its confirmation, a case's activity and a source's preview; no page breaks the
Content-Security-Policy, and the new pages pass axe.
"""

import datetime
import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_accessibility import RULES
from tests.browser.test_csp import RECORD_VIOLATIONS, watch
from tests.factories import (
    device_code,
    make_alert,
    make_case,
    make_citation,
    make_source,
    make_staff,
    make_totp_device,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _logged_in(new_page, live_server, role, username):
    user = make_staff(role, username=username, full_name=username.title())
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
    # The dashboard done loading: on SQLite the server's reads would lock the tables a test
    # writes next.
    page.wait_for_load_state("networkidle")
    return user, page, violations


def _axe(page):
    # The pages' own content: the admin's header and menu are another issue's.
    results = Axe().run(page, context="#content-main", options=RULES)
    assert results.violations_count == 0, results.generate_report()


def test_a_case_officer_sets_follow_ups_in_bulk_and_finds_them_on_the_dashboard(
    new_page, live_server
):
    officer, page, violations = _logged_in(new_page, live_server, "case-officer", "maria")
    make_case(title="Her own case", lead_officer=officer)
    make_case(title="A colleague's case", lead_officer=make_staff("case-officer"))
    page.reload()
    panel = page.locator(".module", has=page.get_by_role("link", name="My cases"))
    expect(panel.get_by_role("link", name="Her own case")).to_be_visible()
    assert "A colleague's case" not in panel.inner_text()
    expect(page.get_by_text("No case of yours has a follow-up due.")).to_be_visible()

    page.goto(live_server.url + "/admin/cases/case/?mine=yes")
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option("set_follow_up")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#bulk-selected")).to_be_visible()
    assert "Her own case" in page.locator("#bulk-selected").inner_text()
    _axe(page)
    page.get_by_label("Follow up on").fill(datetime.date.today().isoformat())
    page.get_by_label("Note").fill("Ask the ministry again")
    page.get_by_role("button", name="Set a follow-up date").click()
    expect(page.get_by_text("Set a follow-up date: 1 record changed.")).to_be_visible()

    page.goto(live_server.url + "/admin/")
    reminders = page.locator(".module", has=page.get_by_role("link", name="Cases to follow up"))
    expect(reminders.get_by_role("link", name="Her own case")).to_be_visible()
    assert "Ask the ministry again" in reminders.inner_text()
    assert violations() == []


def _pdf():
    output = io.BytesIO()
    Image.new("RGB", (300, 400), "red").save(output, format="PDF")
    return output.getvalue()


def test_the_case_activity_and_a_source_preview_in_the_browser(
    new_page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "private"
    case = make_case(title="The case of the search")
    alert = make_alert(case, title="Search of her home")
    content = _pdf()
    source = make_source(
        title="Le Soir",
        file=ContentFile(content, name="x.pdf"),
        file_type="application/pdf",
        file_size=len(content),
    )
    make_citation(source=source, alert=alert, quoted_passage="Two men came")
    officer, page, violations = _logged_in(new_page, live_server, "case-officer", "sam")

    page.goto(live_server.url + f"/admin/cases/case/{case.pk}/change/")
    page.get_by_role("link", name="Activity").click()
    table = page.locator("#case-activity")
    expect(table).to_be_visible()
    assert "Search of her home" in table.inner_text() and "Citation" in table.inner_text()
    _axe(page)

    page.goto(live_server.url + f"/admin/cases/alert/{alert.pk}/change/")
    preview = page.get_by_alt_text("Preview of the file of Le Soir")
    preview.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=preview.element_handle()
    )
    assert preview.evaluate("img => img.naturalHeight") == 240
    assert violations() == []
