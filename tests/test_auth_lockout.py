"""
Lockout that cannot be turned against staff: 5 failed logins in 15 minutes lock an account from
that address; 20 lock an address for every account; an account is locked from every address
only after 100, and never from an address it logged in from in the last 30 days. An unknown
user name is treated like a real one, so nothing tells which names exist.
"""

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


def test_it_locks_an_account_from_an_address_after_five_failures_there(client, officer):
    for _ in range(4):
        response = give_password(client, "officer", "wrong password!", "198.51.100.1")
        assert response.status_code == 200
    assert is_lockout(give_password(client, "officer", "wrong password!", "198.51.100.1"))
    # The right password from that address is refused too.
    assert is_lockout(give_password(client, "officer", PASSWORD, "198.51.100.1"))
    assert "_auth_user_id" not in client.session


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(client, officer):
    """The finding: five wrong passwords from anywhere locked the real officer out."""
    for _ in range(5):
        give_password(client, "officer", "wrong password!", "198.51.100.1")
    assert asks_for_a_code(give_password(client, "officer", PASSWORD, "203.0.113.9"))


def test_it_locks_an_address_after_twenty_failures_whatever_the_accounts(client, officer):
    for n in range(19):
        give_password(client, f"guess{n}", "wrong password!", "198.51.100.7")
    assert asks_for_a_code(give_password(client, "officer", PASSWORD, "198.51.100.7"))
    client.cookies.clear()
    give_password(client, "guess19", "wrong password!", "198.51.100.7")
    give_password(client, "guess20", "wrong password!", "198.51.100.7")
    assert is_lockout(give_password(client, "officer", PASSWORD, "198.51.100.7"))
    # The account itself is not locked: from another address it logs in.
    assert asks_for_a_code(give_password(client, "officer", PASSWORD, "203.0.113.9"))


def _failed_elsewhere(username, addresses, each=5, first=0):
    """What axes records when `addresses` each failed `each` times for `username`."""
    from axes.models import AccessAttempt

    for n in range(first, first + addresses):
        AccessAttempt.objects.create(
            username=username,
            ip_address=f"10.{n // 250}.{n % 250}.1",
            user_agent="",
            failures_since_start=each,
            attempt_time=timezone.now(),
            get_data="",
            post_data="",
            http_accept="",
            path_info="/account/login/",
        )


def test_an_account_is_locked_from_new_addresses_only_after_a_hundred_failures(client, officer):
    _failed_elsewhere("officer", addresses=19)  # 95 failures from 19 addresses
    assert asks_for_a_code(give_password(client, "officer", PASSWORD, "203.0.113.9"))
    client.cookies.clear()
    _failed_elsewhere("officer", addresses=1, first=19)  # now 100
    assert is_lockout(give_password(client, "officer", PASSWORD, "203.0.114.9"))


def _logged_in_before(username, address, days_ago):
    from axes.models import AccessLog

    log = AccessLog.objects.create(
        username=username, ip_address=address, user_agent="", path_info="/account/login/"
    )
    # The login time is set on creation: move it back.
    AccessLog.objects.filter(pk=log.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_an_attacker_cannot_lock_staff_out_of_an_address_they_logged_in_from(client, officer):
    _logged_in_before("officer", "203.0.113.9", days_ago=7)  # from the office, last week
    _failed_elsewhere("officer", addresses=40)  # 200 failures from 40 addresses
    assert is_lockout(give_password(client, "officer", PASSWORD, "198.51.100.99"))
    client.cookies.clear()
    assert asks_for_a_code(give_password(client, "officer", PASSWORD, "203.0.113.9"))


def test_an_address_known_only_long_ago_does_not_count(client, officer):
    _logged_in_before("officer", "203.0.113.9", days_ago=31)
    _failed_elsewhere("officer", addresses=20)
    assert is_lockout(give_password(client, "officer", PASSWORD, "203.0.113.9"))


def test_a_successful_login_does_not_hand_the_attacker_new_attempts(client, officer):
    """Logging in clears this address's failures for the account, not the attacker's."""
    from axes.models import AccessAttempt

    _failed_elsewhere("officer", addresses=3)
    for _ in range(2):
        give_password(client, "officer", "wrong password!", "203.0.113.9")
    assert asks_for_a_code(give_password(client, "officer", PASSWORD, "203.0.113.9"))
    give_code_and_log_in(client, officer)
    assert not AccessAttempt.objects.filter(username="officer", ip_address="203.0.113.9").exists()
    assert AccessAttempt.objects.filter(username="officer").count() == 3


def give_code_and_log_in(client, user):
    from tests.factories import device_code

    response = client.post(
        reverse("two_factor:login"),
        {
            "login_view-current_step": "token",
            "token-otp_token": device_code(user.totpdevice_set.get()),
        },
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302, response
    return response


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
    for _ in range(5):
        give_password(client, "nobody", "wrong password!", "198.51.100.1")
    locked_unknown = give_password(client, "nobody", "wrong password!", "198.51.100.1")
    for _ in range(5):
        give_password(client, "officer", "wrong password!", "198.51.100.2")
    locked_real = give_password(client, "officer", "wrong password!", "198.51.100.2")
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
                "auth-username": "officer",
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
