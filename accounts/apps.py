from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff accounts, roles and login: two factors, lockout, bounded sessions."""

    name = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self):
        # Connects the login signal that starts a staff session's 12-hour window.
        from . import security  # noqa: F401
