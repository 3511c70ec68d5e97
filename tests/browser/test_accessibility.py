"""
Accessibility, proven: axe-core (shipped inside axe-playwright-python, nothing downloaded) checks
every kind of public page against WCAG 2.2 A and AA and axe's best practices, and any violation
fails the test with axe's report.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import Addressee, Appeal, Authority, RequestedAction

pytestmark = pytest.mark.django_db(transaction=True)

RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture
def site(jardemalie):
    appeal = Appeal.objects.get(reference_code="KAZ 001 / 0720 / OBS 086")
    minister = Authority.objects.get(office_holder="Koen Geens")
    minister.postal_address = "Boulevard de Waterloo 115\n1000 Brussels"
    minister.email = "minister@example.org"
    minister.save()
    Addressee.objects.create(appeal=appeal, authority=minister)
    RequestedAction.objects.create(
        appeal=appeal, position=1, text="Return the seized files.", target_state="BE"
    )
    return jardemalie, appeal


def public_pages(case, appeal):
    """One address of each kind of public page, including the error pages."""
    return [
        "/",
        "/cases/",
        "/cases/?state=KZ&q=Jardemalie",
        case.get_absolute_url(),
        "/appeals/",
        appeal.get_absolute_url(),
        Appeal.objects.get(date="2020-03-20").get_absolute_url(),  # a statement, summarised
        f"/appeals/{appeal.pk}/letters/",
        "/recommendations/",
        "/recommendations/?state=BE&overdue=on",
        "/defenders/botagoz-jardemalie/",
        "/countries/",
        "/countries/be/",
        "/sources/",
        "/search/?q=Jardemalie",
        "/how-we-verify/",
        "/pages/about/",
        "/pages/privacy/",
        "/cases/?year=notayear",  # 400: the filters' error
        "/no-such-page/",  # 404
    ]


def test_every_kind_of_public_page_passes_axe(new_page, site):
    case, appeal = site
    axe = Axe()
    page = new_page("/")
    failures = []
    for path in public_pages(case, appeal):
        page.goto(path)
        results = axe.run(page, options=RULES)
        if results.violations_count:
            failures.append(f"{path}\n{results.generate_report()}")
    assert not failures, "\n\n".join(failures)


def test_the_reader_s_own_pages_pass_axe(new_page, site):
    """The pages a reader's POST leads to: the edited letters and the thanks for a report."""
    _case, appeal = site
    axe = Axe()
    page = new_page(appeal.get_absolute_url())
    page.get_by_role("button", name="Prepare my letters").click()
    assert axe.run(page, options=RULES).violations_count == 0, axe.run(
        page, options=RULES
    ).generate_report()
    page.goto(appeal.get_absolute_url())
    page.locator(".report input[type=checkbox]").first.check()
    page.get_by_role("button", name="I wrote").click()
    results = axe.run(page, options=RULES)
    assert results.violations_count == 0, results.generate_report()


def test_the_check_does_find_violations(new_page, jardemalie):
    """A page made wrong on purpose fails: the check above is not silently passing."""
    axe = Axe()
    page = new_page("/")
    page.evaluate(
        """() => {
            document.querySelector("main").insertAdjacentHTML(
                "beforeend", '<img src="/favicon.ico"><nav></nav><nav></nav>'
            );
        }"""
    )
    results = axe.run(page, options=RULES)
    found = {violation["id"] for violation in results.response["violations"]}
    assert {"image-alt", "landmark-unique"} <= found, found
