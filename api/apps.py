from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The public API: the published record, read-only, with its OpenAPI schema."""

    name = "api"
    verbose_name = _("Public API")
