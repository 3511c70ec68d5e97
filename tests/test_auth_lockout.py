"""Lockout after 5 failed logins in 15 minutes, by account or by address; no user enumeration."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_staff, make_totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password"


def give_password(client, username, password=PASSWORD, address="192.0.2.1"):
    return client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        REMOTE_ADDR=address,
    )


def asks_for_a_code(response):
    return response.status_code == 200 and response.context["wizard"]["steps"].current == "token"


def is_lockout(response):
    return response.status_code == 429 and "Too many failed logins" in response.content.decode()


@pytest.fixture
def officer():
    user = make_staff("case-officer", username="officer")
    make_totp_device(user)
    return user


def test_it_locks_an_account_after_five_failures_from_anywhere(client, officer):
    for n in range(4):
        response = give_password(client, "officer", "wrong password!", f"198.51.100.{n}")
        assert response.status_code == 200
    assert is_lockout(give_password(client, "officer", "wrong password!", "198.51.100.4"))
    # The right password, from an address that never failed, is refused too.
    response = give_password(client, "officer", PASSWORD, "203.0.113.9")
    assert is_lockout(response)
    assert "_auth_user_id" not in client.session


def test_it_locks_an_address_after_five_failures_whatever_the_account(client, officer):
    for n in range(5):
        give_password(client, f"guess{n}", "wrong password!", "198.51.100.7")
    assert is_lockout(give_password(client, "officer", PASSWORD, "198.51.100.7"))
    # The account itself is not locked: from another address it logs in.
    assert asks_for_a_code(give_password(client, "officer", PASSWORD, "203.0.113.9"))


def test_four_failures_do_not_lock(client, officer):
    for _ in range(4):
        give_password(client, "officer", "wrong password!")
    assert asks_for_a_code(give_password(client, "officer"))


def test_failures_older_than_fifteen_minutes_are_forgotten(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            give_password(client, "officer", "wrong password!")
        assert is_lockout(give_password(client, "officer"))
        traveller.shift(datetime.timedelta(minutes=14))
        assert is_lockout(give_password(client, "officer"))
        traveller.shift(datetime.timedelta(minutes=16))
        assert asks_for_a_code(give_password(client, "officer"))


def _without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, officer):
    wrong_password = give_password(client, "officer", "wrong password!", "198.51.100.1")
    unknown_user = give_password(client, "nobody", "wrong password!", "198.51.100.2")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert "Please enter a correct username and password" in wrong_password.content.decode()
    wrong_page = _without_csrf(wrong_password).replace('value="officer"', 'value="nobody"')
    assert wrong_page == _without_csrf(unknown_user)


def test_an_unknown_user_is_locked_out_like_a_real_one(client, officer):
    for n in range(5):
        give_password(client, "nobody", "wrong password!", f"198.51.100.{n}")
    locked_unknown = give_password(client, "nobody", "wrong password!", "203.0.113.1")
    for n in range(5):
        give_password(client, "officer", "wrong password!", f"198.51.100.{10 + n}")
    locked_real = give_password(client, "officer", "wrong password!", "203.0.113.2")
    assert is_lockout(locked_unknown) and is_lockout(locked_real)
    assert _without_csrf(locked_unknown) == _without_csrf(locked_real)


def test_an_unknown_user_costs_one_password_hash_like_a_real_one(client, officer, monkeypatch):
    """The same work for both, so that timing does not tell which user names exist."""
    calls = []
    for name in ("encode", "verify"):
        original = getattr(Argon2PasswordHasher, name)
        monkeypatch.setattr(
            Argon2PasswordHasher,
            name,
            lambda self, *args, _name=name, _original=original: (
                calls.append(_name) or _original(self, *args)
            ),
        )
    give_password(client, "officer", "wrong password!", "198.51.100.1")
    real = list(calls)
    calls.clear()
    give_password(client, "nobody", "wrong password!", "198.51.100.2")
    assert len(real) == len(calls) == 1


def test_behind_the_proxy_it_counts_the_address_the_proxy_saw(client, officer, settings):
    settings.BEHIND_PROXY = True
    for n in range(5):
        client.post(
            reverse("two_factor:login"),
            {
                "login_view-current_step": "auth",
                "auth-username": f"guess{n}",
                "auth-password": "wrong password!",
            },
            REMOTE_ADDR="10.0.0.1",  # the proxy
            # A forged first address changes every time; the proxy's entry does not.
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        )
    response = client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "auth", "auth-username": "officer", "auth-password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert is_lockout(response)
