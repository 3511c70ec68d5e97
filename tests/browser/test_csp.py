"""The Content-Security-Policy breaks nothing: no page a reader or staff member opens reports a
violation, through a real two-factor login."""

import pytest

from tests.factories import device_code, make_staff, make_totp_device

pytestmark = pytest.mark.django_db(transaction=True)

# Runs before any script of the page: keeps every violation the browser reports.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watch(page):
    """Violations of the page, from the console and from the DOM event."""
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def violations():
        return console + page.evaluate("window.cspViolations")

    return violations


@pytest.fixture
def open_watched(browser, live_server, new_page):
    def open_page(path):
        page = new_page("about:blank")
        page.context.add_init_script(RECORD_VIOLATIONS)
        violations = watch(page)
        page.goto(live_server.url + path)
        return page, violations

    return open_page


def test_the_public_pages_report_no_violation(open_watched, jardemalie):
    for path in ("/", jardemalie.get_absolute_url()):
        page, violations = open_watched(path)
        page.wait_for_load_state("load")
        assert page.locator("h1").count() >= 1
        assert violations() == [], path


def test_the_staff_login_and_dashboard_report_no_violation(open_watched, jardemalie):
    officer = make_staff("case-officer", username="officer")
    device = make_totp_device(officer)

    page, violations = open_watched("/admin/")
    assert "/account/login/" in page.url
    assert violations() == []
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Next").click()
    assert violations() == []

    page.get_by_label("Token").fill(device_code(device))
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("heading", name="My drafts").is_visible()
    # The admin's own scripts (theme, sidebar) ran: they are files, not inline code.
    assert page.evaluate("document.documentElement.dataset.theme !== undefined")
    assert violations() == []

    page.goto(f"/admin/cases/case/{jardemalie.pk}/change/")
    assert page.locator("#case_form").is_visible()
    assert violations() == []
