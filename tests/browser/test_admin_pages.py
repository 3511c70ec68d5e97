"""
The staff workspace in a browser, logged in through the two-factor login: axe-core (WCAG 2.2
AA and best practices) finds nothing on its main pages, the alert form fits a 1,366 px window,
dates are shown in words as they are typed, and other states are chosen by autocomplete.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import Alert, Appeal, Recommendation
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
    recommendation = Recommendation.objects.filter(case=case).first()
    version = case.history.order_by("history_date").first()
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
        f"/admin/cases/recommendation/{recommendation.pk}/change/",
        f"/admin/cases/recommendationupdate/add/?recommendation={recommendation.pk}",
        f"/admin/cases/case/{case.pk}/history/{version.history_id}/",
        "/admin/auth/user/",  # not for a case officer: the 403 page
    ]


def test_the_main_admin_pages_pass_axe(new_page, live_server, jardemalie):
    page = logged_in(new_page, live_server, viewport={"width": 1366, "height": 768})
    axe = Axe()
    failures = []
    jardemalie.summary += " A new sentence."  # so that the revert preview shows a change
    jardemalie.save()
    for path in admin_pages(jardemalie):
        response = page.goto(path)
        assert response.status == (403 if path == "/admin/auth/user/" else 200), path
        results = axe.run(page, options=RULES)
        if results.violations_count:
            failures.append(f"{path}\n{results.generate_report()}")
    assert not failures, "\n\n".join(failures)


def test_the_alert_form_fits_a_1366_px_window(new_page, live_server, jardemalie):
    alert = max(
        Alert.objects.filter(case=jardemalie).prefetch_related("citations"),
        key=lambda a: a.citations.count(),
    )
    assert alert.citations.count() >= 2
    page = logged_in(new_page, live_server, viewport={"width": 1366, "height": 768})
    for path in (
        f"/admin/cases/alert/{alert.pk}/change/",
        f"/admin/cases/alert/add/?case={jardemalie.pk}",
    ):
        page.goto(path)
        page.locator(".select2").first.wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"{path} is {width} px wide"


def test_the_buttons_leave_a_long_title_readable(new_page, live_server, db):
    from tests.factories import make_case

    case = make_case(title="The search of a refugee lawyer's home in Brussels " * 4)
    page = logged_in(new_page, live_server, viewport={"width": 1366, "height": 768})
    page.goto(f"/admin/cases/case/{case.pk}/change/")
    title = page.locator("#content h2").first.bounding_box()
    for button in page.locator(".object-tools li").all():
        box = button.bounding_box()
        overlaps = not (
            box["x"] + box["width"] <= title["x"]
            or title["x"] + title["width"] <= box["x"]
            or box["y"] + box["height"] <= title["y"]
            or title["y"] + title["height"] <= box["y"]
        )
        assert not overlaps, (button.inner_text(), box, title)


def test_other_states_are_added_by_autocomplete_without_losing_one(new_page, live_server, db):
    from tests.factories import make_case

    case = make_case(other_states=["BE"])
    page = logged_in(new_page, live_server)
    page.goto(f"/admin/cases/case/{case.pk}/change/")
    field = page.locator(".field-other_states .select2-search__field")
    field.click()
    field.fill("Fran")
    page.locator(".select2-results__option", has_text="France").first.click()
    chosen = page.locator(".field-other_states .select2-selection__choice").all_inner_texts()
    assert any("Belgium" in c for c in chosen) and any("France" in c for c in chosen), chosen
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/cases/case/")
    case.refresh_from_db()
    assert sorted(c.code for c in case.other_states) == ["BE", "FR"]


def test_a_date_is_shown_in_words_as_it_is_typed_and_saved_as_read(new_page, live_server, db):
    from tests.factories import make_case

    case = make_case()
    page = logged_in(new_page, live_server)
    page.goto(f"/admin/cases/alert/add/?case={case.pk}")
    page.locator("#id_date").fill("04/03/2026")
    assert page.locator("#id_date_in_words").inner_text() == "Read as: Wednesday 4 March 2026"
    page.locator("#id_kind").select_option("search")
    page.locator("#id_title_en").fill("The home was searched")
    page.locator("#id_description_en").fill("Police searched the home.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/cases/alert/")
    assert str(Alert.objects.get(case=case).date) == "2026-03-04"


CONTRAST = """(elements) => elements.map((el) => {
    const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
        const f = (v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let bg = null;
    for (let node = el; node && !bg; node = node.parentElement) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) bg = c.slice(0, 3);
    }
    bg = bg || [255, 255, 255];
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg)];
    return [el.textContent.trim().slice(0, 40), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
})"""


def test_dashboard_links_and_the_history_header_have_a_contrast_of_4_5(
    new_page, live_server, jardemalie
):
    page = logged_in(new_page, live_server, role="publisher")
    ratios = page.locator("#content-main a").evaluate_all(CONTRAST)
    page.goto(f"/admin/cases/case/{jardemalie.pk}/history/")
    ratios += page.locator("#change-history thead th, #content-main > p").evaluate_all(CONTRAST)
    assert len(ratios) > 10
    low = [(text, round(ratio, 2)) for text, ratio in ratios if ratio < 4.5]
    assert not low, low


def test_a_form_too_large_is_not_sent_and_keeps_what_was_typed(new_page, live_server, db):
    from tests.factories import make_case

    case = make_case()
    page = logged_in(new_page, live_server)
    page.goto(f"/admin/cases/alert/add/?case={case.pk}")
    page.locator("#id_title_en").fill("The home was searched")
    page.evaluate("document.querySelector('#id_description_en').value = 'x'.repeat(3 * 1048576)")
    page.get_by_role("button", name="Save", exact=True).click()
    note = page.locator("#form-too-large")
    note.wait_for()
    assert (
        "Not sent: this form holds 3\u00a0MB of text and the site takes 2.5\u00a0MB at most."
        in (note.inner_text())
    )
    assert "(What happened (English))" in note.inner_text()
    assert page.url.endswith(f"/admin/cases/alert/add/?case={case.pk}")
    assert page.evaluate("document.querySelector('#id_description_en').value.length") == 3 * 1048576
    assert not Alert.objects.filter(case=case).exists()


def test_every_field_of_a_citation_row_is_labelled(new_page, live_server, jardemalie):
    page = logged_in(new_page, live_server)
    page.goto(f"/admin/cases/alert/add/?case={jardemalie.pk}")
    # The row shown, and the hidden one that "Add another" copies.
    names = page.get_by_label("Quoted passage").evaluate_all("els => els.map(e => e.name)")
    assert names == ["citations-0-quoted_passage", "citations-__prefix__-quoted_passage"]
    assert page.get_by_role("combobox", name="Source").count() == 1
