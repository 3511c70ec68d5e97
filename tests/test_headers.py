"""Security headers on every kind of response, secure cookies, and the production deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import log_in, make_staff

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

# A production configuration, as the README documents it.
PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "observatory.example.org",
    "DJANGO_BEHIND_PROXY": "1",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_PRELOAD": "1",
}


def policy(response):
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def pages(client, jardemalie):
    """A public page, a 404, the staff login, and an admin page of a logged-in staff member."""
    public = [
        client.get("/"),
        client.get(jardemalie.get_absolute_url()),
        client.get("/no-such-page/"),
        client.get(reverse("two_factor:login")),
    ]
    staff = log_in(client, make_staff("case-officer"))
    return [*public, staff.get(reverse("admin:index"))]


def test_every_response_has_a_strict_content_security_policy(pages):
    for response in pages:
        directives = policy(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_every_response_has_the_other_security_headers(pages):
    for response in pages:
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_page_served_from_the_public_cache_keeps_its_headers(client, jardemalie):
    first = client.get("/")
    with CaptureQueriesContext(connection) as queries:
        cached = client.get("/")
    assert len(queries) == 1  # the generation: served from the cache, not rendered again
    assert cached.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert cached[header] == first[header]


def test_https_responses_carry_hsts(client, settings, jardemalie):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/")  # never over plain HTTP


def test_session_and_csrf_cookies_are_host_only_and_secure(client):
    officer = make_staff("case-officer")
    login = client.get(reverse("two_factor:login"))
    csrf = login.cookies["__Host-csrftoken"]
    response = client.post(
        reverse("two_factor:login"),
        {
            "login_view-current_step": "auth",
            "auth-username": officer.username,
            "auth-password": "a long test password",
        },
    )
    session = response.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
    assert session["httponly"] is True
    assert session["max-age"] == 30 * 60


def run(*args, **env):
    """A fresh Python process with only the given DJANGO_ and DATABASE_ variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_plain_http_development_keeps_plain_cookie_names():
    code = "import observatory.settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    assert run("-c", code, DJANGO_DEBUG="1").stdout.split() == ["sessionid", "csrftoken"]
    https = run("-c", code, DJANGO_SECRET_KEY="x" * 50).stdout.split()
    assert https == ["__Host-sessionid", "__Host-csrftoken"]


def test_hsts_settings_refuse_a_malformed_value():
    result = run(
        "-c", "import observatory.settings", DJANGO_SECRET_KEY="x" * 50, DJANGO_HSTS_PRELOAD="maybe"
    )
    assert result.returncode == 1
    assert "DJANGO_HSTS_PRELOAD" in result.stderr


DEPLOY_CHECK = ("manage.py", "check", "--deploy", "--fail-level", "WARNING")


def test_the_production_configuration_passes_the_deploy_check():
    result = run(*DEPLOY_CHECK, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_fails_without_hsts():
    result = run(*DEPLOY_CHECK, **{**PRODUCTION, "DJANGO_HSTS_SECONDS": "0"})
    assert result.returncode == 1
    assert "security.W004" in result.stderr
