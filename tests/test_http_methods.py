"""
HEAD wherever GET, OPTIONS with the methods a page allows, TRACE refused; and anonymous visits,
the staff login page included, leave no session row in the database.
"""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from cases.models import Appeal, Defender, Source
from tests.factories import make_staff, make_totp_device
from tests.test_leak import _public_patterns

pytestmark = pytest.mark.django_db

SAFE = "GET, HEAD, OPTIONS"
# The reader's own forms on an appeal: the letters page and the report take a POST.
POSTED = {
    "cases:appeal_letters": "GET, HEAD, POST, OPTIONS",
    "cases:appeal_report": "POST, OPTIONS",
}


def _public_urls(case):
    """One address for every public URL pattern, read from the resolver."""
    appeal = Appeal.objects.published().filter(case=case).first()
    defender = Defender.objects.published().filter(identity_protected=False).first()
    arguments = {
        "cases:case_detail": [case.slug],
        "cases:case_timeline_feed": [case.slug],
        "cases:case_appeal_feed": [case.slug],
        "cases:appeal_detail": [appeal.pk],
        "cases:defender_detail": [defender.slug],
        "cases:country_detail": ["KZ"],
        "cases:country_appeal_feed": ["KZ"],
        "cases:source_file": [999999],  # no such file: a 404, for HEAD as for GET
        "cases:appeal_letters": [appeal.pk],
        "cases:appeal_report": [appeal.pk],
        "cases:page": ["about"],
        "sitemap_section": ["cases"],
        "api:case-detail": [case.slug],
        "api:alert-detail": [case.alerts.filter(published_at__isnull=False).first().pk],
        "api:appeal-detail": [appeal.pk],
        "api:recommendation-detail": [case.recommendations.first().pk],
        "api:defender-detail": [defender.slug],
        "api:source-detail": [Source.objects.published().first().pk],
        "api:violationtype-detail": ["surveillance"],
    }
    queries = {"cases:search": "?q=Jardemalie"}
    return {
        name: reverse(name, args=arguments.get(name, [])) + queries.get(name, "")
        for _route, name in _public_patterns()
    }


def test_head_answers_every_public_page_as_get_does(client, jardemalie):
    for name, url in _public_urls(jardemalie).items():
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code, (name, url)
        assert head["Content-Type"] == get["Content-Type"], url
        body = b"".join(head.streaming_content) if head.streaming else head.content
        assert body == b"", url


@pytest.mark.parametrize("name", ["cases:search", "cases:recommendation_export", "robots_txt"])
def test_head_is_not_refused_where_it_was(client, jardemalie, name):
    url = _public_urls(jardemalie)[name]
    assert client.head(url).status_code == 200


def test_head_of_the_export_does_not_write_the_spreadsheet(client, jardemalie):
    response = client.head(reverse("cases:recommendation_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b""


def test_options_says_what_every_public_page_allows(client, jardemalie):
    for name, url in _public_urls(jardemalie).items():
        response = client.options(url)
        assert response.status_code == 200, (name, url)
        assert response["Allow"] == POSTED.get(name, SAFE), url
        assert response.content == b"", url


def test_a_public_page_refuses_post_and_says_what_it_allows(client, jardemalie):
    for name, url in _public_urls(jardemalie).items():
        if name in POSTED:
            continue  # tests/test_take_action.py
        response = client.post(url)
        assert response.status_code == 405, (name, url)
        assert response["Allow"] == SAFE, url


@pytest.mark.parametrize(
    "url", ["/", "/cases/", "/search/?q=x", "/admin/", "/admin/cases/case/", "/account/login/"]
)
def test_trace_is_refused_everywhere(client, jardemalie, url):
    response = client.generic("TRACE", url)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]
    assert len(response.content) < 200  # not the page


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/admin/cases/case/", "GET, HEAD, POST, OPTIONS"),
        ("/account/login/", "GET, HEAD, POST, OPTIONS"),
    ],
)
def test_options_of_staff_pages_answers_without_a_session(client, url, allowed):
    response = client.options(url)
    assert response.status_code == 200 and response["Allow"] == allowed
    assert response.content == b""
    assert not Session.objects.exists()


def test_options_of_an_unknown_address_is_a_404(client):
    assert client.options("/no-such-page/").status_code == 404


# --- No session row for anonymous visits ------------------------------------------------------


def test_anonymous_visits_leave_no_session_row(client, jardemalie, settings):
    urls = [*_public_urls(jardemalie).values(), reverse("two_factor:login")]
    for url in urls:
        client.get(url)
        client.head(url)
    assert not Session.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_the_login_page_shows_the_form_without_a_session(client, settings):
    response = client.get(reverse("two_factor:login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="login_view-current_step" value="auth"' in page
    assert 'name="auth-username"' in page
    assert not Session.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_the_password_step_then_starts_the_session_the_login_needs(client):
    officer = make_staff("case-officer", username="officer")
    make_totp_device(officer)
    client.get(reverse("two_factor:login"))
    response = client.post(
        reverse("two_factor:login"),
        {
            "login_view-current_step": "auth",
            "auth-username": "officer",
            "auth-password": "a long test password",
        },
    )
    assert response.context["wizard"]["steps"].current == "token"
    assert Session.objects.count() == 1


def test_a_visitor_who_has_a_session_keeps_it_on_the_login_page(client):
    """Going back to the first step of a login in progress works as before."""
    officer = make_staff("case-officer", username="officer")
    make_totp_device(officer)
    client.post(
        reverse("two_factor:login"),
        {
            "login_view-current_step": "auth",
            "auth-username": "officer",
            "auth-password": "a long test password",
        },
    )
    response = client.get(reverse("two_factor:login"))
    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "auth"
