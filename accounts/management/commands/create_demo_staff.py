import secrets
from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import create_staff_account

DEMO_ACCOUNTS = [
    ("officer", "case-officer", "Officer (demo)"),
    ("publisher", "publisher", "Publisher (demo)"),
    ("admin", "administrator", "Administrator (demo)"),
]
# Enough to try the demo a few times without an authenticator app; each works once.
RECOVERY_CODES = 5


def add_two_factor(user):
    """
    An authenticator (TOTP device, as two-factor's setup makes it) and recovery codes (a
    static device, as two-factor's "backup tokens" page makes it), so that the demo logins
    work at once. Returns the authenticator's secret in base32 and the recovery codes.
    """
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return b32encode(device.bin_key).decode(), codes


class Command(BaseCommand):
    help = (
        "Create demo staff accounts, one per role, with random passwords, an authenticator "
        "secret and recovery codes, only if no user exists yet, and print their logins once."
    )

    def handle(self, *args, **options):
        if get_user_model().objects.exists():
            self.stdout.write(
                "Staff accounts already exist: no demo account created. An account without "
                "an authenticator is asked to set one up (a QR code) after its password."
            )
            return
        blocks = []
        with transaction.atomic():
            for username, role, name in DEMO_ACCOUNTS:
                password = secrets.token_urlsafe(12)
                user = create_staff_account(username, role, password=password, full_name=name)
                secret, codes = add_two_factor(user)
                blocks.append(
                    f"  {username:<10} password {password}   ({role})\n"
                    f"             authenticator secret {secret}\n"
                    f"             recovery codes {' '.join(codes)}"
                )
        self.stdout.write(
            self.style.SUCCESS(
                "Demo staff accounts created. Log in at /admin/ (shown only once).\n"
                "After the password, give a code from an authenticator app set up with the\n"
                "account's secret (time-based, 6 digits), or choose 'Use Backup Token' and\n"
                "give one of its recovery codes (each works once).\n" + "\n\n".join(blocks)
            )
        )
