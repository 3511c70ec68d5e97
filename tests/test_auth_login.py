"""Staff login: a password and a one-time code before any admin page; setup forced; recovery."""

import time

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from tests.factories import device_code, make_staff, make_totp_device, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password"  # what make_staff gives every account


def give_password(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        **extra,
    )


def give_code(client, code, step="token"):
    return client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": step, f"{step}-otp_token": code},
    )


def test_it_sends_the_admin_login_to_the_two_factor_login(client):
    response = client.get(reverse("admin:login") + "?next=/admin/cases/case/")
    assert response.status_code == 302
    assert response.url == reverse("two_factor:login") + "?next=/admin/cases/case/"


def test_it_asks_for_a_code_after_the_password(client):
    officer = make_staff("case-officer")
    make_totp_device(officer)
    response = give_password(client, officer.username)
    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "token"
    # The password alone opens nothing: the session is not even logged in yet.
    assert client.get(reverse("admin:index")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_opens_the_admin_with_a_password_and_a_code(client):
    officer = make_staff("case-officer")
    device = make_totp_device(officer)
    give_password(client, officer.username)
    response = give_code(client, device_code(device))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_accepts_a_code_that_starts_with_zero(client):
    """About one code in ten starts with 0: typed with its six digits, it opens the admin."""
    import time_machine
    from django_otp.oath import TOTP

    officer = make_staff("case-officer")
    device = make_totp_device(officer)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    while totp.token() >= 100_000:  # the next 30-second step whose code has a leading zero
        totp.time += device.step
    with time_machine.travel(totp.time, tick=False):
        code = device_code(device)
        assert len(code) == 6 and code.startswith("0")
        give_password(client, officer.username)
        response = give_code(client, code)
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_it_refuses_a_wrong_code(client):
    officer = make_staff("case-officer")
    device = make_totp_device(officer)
    give_password(client, officer.username)
    wrong = f"{(int(device_code(device)) + 1) % 1_000_000:06d}"
    response = give_code(client, wrong)
    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "token"
    assert client.get(reverse("admin:index")).status_code == 302


def test_it_forces_a_staff_member_without_an_authenticator_to_set_one_up(client):
    officer = make_staff("case-officer")
    response = give_password(client, officer.username)
    # Logged in by password only: every admin page leads to the setup, never opens.
    for url in (reverse("admin:index"), reverse("admin:cases_case_changelist")):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("two_factor:setup")
        assert response.templates[0].name == "two_factor/core/setup.html"
    assert not officer.totpdevice_set.exists()

    # Setup: an introduction, then the QR code and the secret, then a code from the app.
    setup = reverse("two_factor:setup")
    response = client.post(setup, {"setup_view-current_step": "welcome"})
    assert response.context["wizard"]["steps"].current == "generator"
    assert client.get(reverse("two_factor:qr"))["Content-Type"].startswith("image/svg+xml")
    from base64 import b32decode

    key = b32decode(response.context["secret_key"])
    code = totp_code(key)
    response = client.post(setup, {"setup_view-current_step": "generator", "generator-token": code})
    assert response.status_code == 302
    assert officer.totpdevice_set.get().confirmed
    # Setup verified the session, and offers recovery codes before the work starts.
    assert response.url == reverse("two_factor:setup_complete")
    page = client.get(response.url).content.decode()
    assert reverse("two_factor:backup_tokens") in page
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 200


def test_a_first_login_goes_through_the_setup(client):
    from base64 import b32decode

    officer = make_staff("case-officer")
    wanted = reverse("admin:cases_alert_changelist")
    login_url = client.get(wanted, follow=True).redirect_chain[-1][0]
    assert login_url == f"{reverse('two_factor:login')}?next={wanted}"
    response = client.post(
        login_url,
        {
            "login_view-current_step": "auth",
            "auth-username": officer.username,
            "auth-password": PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("two_factor:setup")
    setup = client.post(reverse("two_factor:setup"), {"setup_view-current_step": "welcome"})
    code = totp_code(b32decode(setup.context["secret_key"]))
    response = client.post(
        reverse("two_factor:setup"),
        {"setup_view-current_step": "generator", "generator-token": code},
        follow=True,
    )
    # The setup's last page offers recovery codes; then the page asked for opens.
    assert response.redirect_chain[-1][0] == reverse("two_factor:setup_complete")
    assert reverse("two_factor:backup_tokens") in response.content.decode()
    assert client.get(wanted).status_code == 200


def test_it_does_not_let_a_staff_member_turn_two_factor_off(client):
    from django.urls import NoReverseMatch

    for name in ("two_factor:disable", "two_factor:profile"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert client.get("/account/two_factor/disable/").status_code == 404


def test_recovery_codes_log_in_once_each(client):
    officer = make_staff("case-officer")
    make_totp_device(officer)
    backup = StaticDevice.objects.create(user=officer, name="backup")
    for token in ("recover1", "recover2"):
        StaticToken.objects.create(device=backup, token=token)

    give_password(client, officer.username)
    client.post(reverse("two_factor:login"), {"wizard_goto_step": "backup"})
    response = give_code(client, "recover1", step="backup")
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200

    client.post(reverse("admin:logout"))
    give_password(client, officer.username)
    client.post(reverse("two_factor:login"), {"wizard_goto_step": "backup"})
    response = give_code(client, "recover1", step="backup")
    assert response.status_code == 200  # used already: the form again, with an error
    assert response.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 302
    assert list(backup.token_set.values_list("token", flat=True)) == ["recover2"]


def test_a_verified_staff_member_makes_recovery_codes(client):
    from tests.factories import log_in

    officer = make_staff("case-officer")
    log_in(client, officer)
    response = client.post(reverse("two_factor:backup_tokens"))
    assert response.status_code == 302
    page = client.get(reverse("two_factor:backup_tokens")).content.decode()
    tokens = officer.staticdevice_set.get().token_set.values_list("token", flat=True)
    assert len(tokens) == 10
    assert all(token in page for token in tokens)


def test_every_admin_page_links_to_the_recovery_codes(client):
    from tests.factories import log_in

    log_in(client, make_staff("case-officer"))
    for url in (reverse("admin:index"), reverse("admin:cases_case_changelist")):
        page = client.get(url).content.decode()
        assert f'href="{reverse("two_factor:backup_tokens")}"' in page
        assert "Change password" in page  # the admin's own links are still there


def test_recovery_codes_need_a_verified_session(client):
    officer = make_staff("case-officer")
    give_password(client, officer.username)  # no authenticator yet: password only
    response = client.post(reverse("two_factor:backup_tokens"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:login"))
    assert not StaticToken.objects.exists()


def test_the_two_factor_pages_have_no_inline_script(client):
    officer = make_staff("case-officer")
    pages = [client.get(reverse("two_factor:login")).content.decode()]
    give_password(client, officer.username)
    pages.append(client.get(reverse("two_factor:setup")).content.decode())
    for page in pages:
        assert "<script>" not in page and "javascript:" not in page and "<style" not in page


def test_the_demo_logins_printed_by_make_run_open_the_admin(client):
    import re
    from base64 import b32decode
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_demo_staff", stdout=out)
    printed = out.getvalue()
    password, secret, codes = re.search(
        r"officer +password (\S+).*?\n +authenticator secret (\S+)\n +recovery codes ([^\n]+)",
        printed,
    ).groups()
    assert len(codes.split()) == 5

    # With the authenticator secret …
    give_password(client, "officer", password)
    response = give_code(client, totp_code(b32decode(secret)))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.post(reverse("admin:logout"))

    # … or with a recovery code instead.
    give_password(client, "officer", password)
    client.post(reverse("two_factor:login"), {"wizard_goto_step": "backup"})
    give_code(client, codes.split()[0], step="backup")
    assert client.get(reverse("admin:index")).status_code == 200

    # Run again (make run does): nothing is created or printed twice.
    again = StringIO()
    call_command("create_demo_staff", stdout=again)
    assert "already exist" in again.getvalue()
    assert secret not in again.getvalue()
