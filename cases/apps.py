from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The domain: cases, defenders, alerts, sources, appeals, recommendations, staff work."""

    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from .models.appeals import Appeal
        from .models.cases import Alert, Case, alert_sort_date, public_change_moved
        from .models.recommendations import Recommendation, RecommendationUpdate, status_changed

        # A recommendation keeps the status of its latest update, whatever wrote either: a form,
        # a revert, a fixture (raw), the publishing service. One rule: refresh_status().
        for sender in (Recommendation, RecommendationUpdate):
            post_save.connect(status_changed, sender=sender, dispatch_uid=f"rec-status-{sender}")
        post_delete.connect(status_changed, sender=RecommendationUpdate, dispatch_uid="rec-status")

        # A case keeps when the public last saw it change, whatever wrote the case, its alerts
        # or its appeals. One rule: refresh_last_public_change().
        for sender in (Case, Alert, Appeal):
            post_save.connect(public_change_moved, sender=sender, dispatch_uid=f"moved-{sender}")
        for sender in (Alert, Appeal):
            post_delete.connect(
                public_change_moved, sender=sender, dispatch_uid=f"moved-delete-{sender}"
            )

        # A source knows whether a published page cites it, whatever wrote the citation, the
        # alert, the case, the recommendation or the source. One rule: refresh_cited_publicly().
        from .models.sources import Citation, Source, citing_changed, remember_source

        for sender in (Citation, Recommendation):
            pre_save.connect(remember_source, sender=sender, dispatch_uid=f"cited-pre-{sender}")
        for sender in (Citation, Alert, Case, Recommendation, Source):
            post_save.connect(citing_changed, sender=sender, dispatch_uid=f"cited-{sender}")
        for sender in (Citation, Alert, Case, Recommendation):
            post_delete.connect(citing_changed, sender=sender, dispatch_uid=f"cited-del-{sender}")

        # Appeals and recommendations know whether their case is published, whatever wrote
        # them or the case. One rule: refresh_case_published().
        from .models.cases import case_publication_changed

        for sender in (Case, Appeal, Recommendation):
            post_save.connect(
                case_publication_changed, sender=sender, dispatch_uid=f"case-published-{sender}"
            )

        # Each record knows what its translations were made from, however it was written (a
        # fixture too, which saves without save()). One rule: keep_translations().
        from .disclosure import TRANSLATED
        from .multilingual import translations_kept

        for sender in TRANSLATED:
            pre_save.connect(translations_kept, sender=sender, dispatch_uid=f"tr-{sender}")

        # An alert sorts where its partial date falls in the story, however it was written.
        pre_save.connect(alert_sort_date, sender=Alert, dispatch_uid="alert-sort-date")
