import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from cases.roles import create_staff_account

DEMO_ACCOUNTS = [
    ("officer", "case-officer", "Officer (demo)"),
    ("publisher", "publisher", "Publisher (demo)"),
    ("admin", "administrator", "Administrator (demo)"),
]


class Command(BaseCommand):
    help = (
        "Create demo staff accounts, one per role, with random passwords, only if no user "
        "exists yet, and print their logins once."
    )

    def handle(self, *args, **options):
        if get_user_model().objects.exists():
            self.stdout.write("Staff accounts already exist: no demo account created.")
            return
        lines = []
        for username, role, name in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            create_staff_account(username, role, password=password, full_name=name)
            lines.append(f"  {username:<10} {password}   ({role})")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo staff accounts created. Log in at /admin/ (shown only once):\n"
                + "\n".join(lines)
            )
        )
