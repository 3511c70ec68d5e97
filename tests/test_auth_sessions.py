"""Staff sessions: 30 minutes idle, 12 hours at most, ended on the server at logout; passwords."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import log_in, make_staff

pytestmark = pytest.mark.django_db


def opens_the_admin(client):
    response = client.get(reverse("admin:index"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    return False


@pytest.fixture
def traveller():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_a_session_survives_29_idle_minutes(client, traveller):
    log_in(client, make_staff("case-officer"))
    traveller.shift(datetime.timedelta(minutes=29))
    assert opens_the_admin(client)


def test_a_session_ends_after_30_idle_minutes(client, traveller):
    log_in(client, make_staff("case-officer"))
    key = client.session.session_key
    traveller.shift(datetime.timedelta(minutes=30, seconds=1))
    assert not opens_the_admin(client)
    assert not Session.objects.filter(session_key=key, expire_date__gt=timezone.now()).exists()


def test_activity_keeps_a_session_alive_until_12_hours_after_login(client, traveller):
    log_in(client, make_staff("case-officer"))
    for _ in range(12 * 60 // 20 - 1):  # a request every 20 minutes, up to 11h40
        traveller.shift(datetime.timedelta(minutes=20))
        assert opens_the_admin(client)
    traveller.shift(datetime.timedelta(minutes=19))
    assert opens_the_admin(client)  # 11h59 after login
    key = client.session.session_key
    traveller.shift(datetime.timedelta(minutes=1))
    assert not opens_the_admin(client)  # 12h after login, however active
    assert not Session.objects.filter(session_key=key).exists()


def test_logging_in_again_starts_a_new_12_hours(client, traveller):
    officer = make_staff("case-officer")
    log_in(client, officer)
    traveller.shift(datetime.timedelta(hours=11, minutes=50))
    log_in(client, officer)
    traveller.shift(datetime.timedelta(minutes=20))
    assert opens_the_admin(client)


def test_a_logged_in_session_without_a_login_time_is_ended(client):
    from accounts.security import LOGIN_TIME_KEY

    log_in(client, make_staff("case-officer"))
    session = client.session
    del session[LOGIN_TIME_KEY]
    session.save()
    assert not opens_the_admin(client)


def test_logging_out_ends_the_session_on_the_server(client):
    log_in(client, make_staff("case-officer"))
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert opens_the_admin(client)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 302 and response.url == reverse("cases:home")
    assert not Session.objects.filter(session_key=stolen).exists()
    # Someone who copied the cookie before the logout gets nothing with it.
    client.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert not opens_the_admin(client)


def test_passwords_need_twelve_characters():
    officer = make_staff("case-officer")
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Qx7!vR2#mL9", officer)  # 11 characters
    validate_password("Qx7!vR2#mL9w", officer)  # 12 characters


def test_passwords_are_hashed_with_argon2():
    officer = make_staff("case-officer")
    assert officer.password.startswith("argon2$argon2id$")
    assert officer.check_password("a long test password")


def test_an_older_hash_is_upgraded_to_argon2_at_login(client):
    from django.contrib.auth.hashers import make_password

    officer = make_staff("case-officer")
    officer.password = make_password("a long test password", hasher="pbkdf2_sha256")
    officer.save()
    client.post(
        reverse("two_factor:login"),
        {
            "login_view-current_step": "auth",
            "auth-username": officer.username,
            "auth-password": "a long test password",
        },
    )
    officer.refresh_from_db()
    assert officer.password.startswith("argon2$")


def test_the_admin_password_change_refuses_a_short_password(client):
    officer = make_staff("case-officer")
    log_in(client, officer)
    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "a long test password",
            "new_password1": "Qx7!vR2#mL9",
            "new_password2": "Qx7!vR2#mL9",
        },
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password("a long test password")
