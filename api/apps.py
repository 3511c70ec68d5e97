from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public API: the published record, read-only, with its OpenAPI schema."""

    name = "api"
    verbose_name = "Public API"
