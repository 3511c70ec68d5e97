import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import ROLE_CHOICES, ROLE_DESCRIPTIONS, create_staff_account


class Command(BaseCommand):
    help = (
        "Create a staff account in a role and print a random first password once. Roles: "
        + "; ".join(f"{key}: {ROLE_DESCRIPTIONS[name]}" for key, name in ROLE_CHOICES.items())
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_CHOICES))
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="Full name, shown in the history.")

    def handle(self, *args, username, role, email, name, **options):
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"An account named '{username}' already exists.")
        password = secrets.token_urlsafe(12)
        create_staff_account(username, role, email=email, password=password, full_name=name)
        self.stdout.write(
            self.style.SUCCESS(
                f"{ROLE_CHOICES[role]} '{username}' created. First password, shown only "
                f"once: {password}"
            )
        )
