from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The public site: pages, feeds, sitemaps, search and the export, from published records."""

    name = "public"
    verbose_name = _("Public site")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from simple_history.models import HistoricalChanges

        from . import cache

        # Any write to the domain makes the cached public pages stale.
        for model in apps.get_app_config("cases").get_models():
            if issubclass(model, HistoricalChanges):
                continue  # written with the record it follows, which already counts
            post_save.connect(cache.data_changed, sender=model, dispatch_uid=f"cache-save-{model}")
            post_delete.connect(
                cache.data_changed, sender=model, dispatch_uid=f"cache-delete-{model}"
            )
        m2m_changed.connect(cache.m2m_changed, dispatch_uid="cache-m2m")
