from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running an observatory: backups and restore, the history baseline, generated data."""

    name = "ops"
    verbose_name = _("Operations")
