from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The public site: pages, feeds, sitemaps, search and the export, from published records."""

    name = "public"
    verbose_name = _("Public site")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
        from simple_history.models import HistoricalChanges

        from . import cache

        # A write to the domain that changes what the public sees makes the cached public
        # pages stale; which writes do is read from the disclosure declaration (cache.py).
        for model in apps.get_app_config("cases").get_models():
            if issubclass(model, HistoricalChanges):
                continue  # written with the record it follows, which already counts
            if model is cache.PageGeneration:
                continue  # the generation itself
            uid = f"cache-{model._meta.label}"
            pre_save.connect(cache.before_save, sender=model, dispatch_uid=f"{uid}-pre-save")
            post_save.connect(cache.after_save, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(cache.after_delete, sender=model, dispatch_uid=f"{uid}-delete")
        m2m_changed.connect(cache.after_m2m_change, dispatch_uid="cache-m2m")
