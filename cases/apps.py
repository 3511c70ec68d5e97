from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from simple_history.models import HistoricalChanges

        from .cache import data_changed
        from .cache import m2m_changed as m2m_receiver
        from .models.recommendations import (
            Recommendation,
            RecommendationUpdate,
            recommendation_loaded,
            update_changed,
        )

        # A recommendation keeps the status of its latest update.
        post_save.connect(update_changed, sender=RecommendationUpdate, dispatch_uid="rec-status")
        post_delete.connect(update_changed, sender=RecommendationUpdate, dispatch_uid="rec-status")
        post_save.connect(recommendation_loaded, sender=Recommendation, dispatch_uid="rec-loaded")

        # Any write makes the cached public pages stale.

        for model in self.get_models():
            if issubclass(model, HistoricalChanges):
                continue  # written with the record it follows, which already counts
            post_save.connect(data_changed, sender=model, dispatch_uid=f"cache-save-{model}")
            post_delete.connect(data_changed, sender=model, dispatch_uid=f"cache-delete-{model}")
        m2m_changed.connect(m2m_receiver, dispatch_uid="cache-m2m")

        # Connects the login signal that starts a staff session's 12-hour window.
        from . import security  # noqa: F401
