from django.apps import apps
from django.core.management.base import BaseCommand
from simple_history.models import HistoricalChanges

from ops.timeouts import lift_statement_timeout


class Command(BaseCommand):
    help = (
        "Give every record that has no history yet (loaded from fixtures or an import) a first "
        "history record, so that later changes to it can be compared and reverted. Safe to run "
        "again."
    )

    def handle(self, *args, **options):
        lift_statement_timeout()  # it reads every table whole
        total = 0
        for model in apps.get_app_config("cases").get_models():
            if issubclass(model, HistoricalChanges) or not hasattr(model, "history"):
                continue
            missing = list(model.objects.exclude(pk__in=model.history.values("id")))
            if missing:
                model.history.bulk_history_create(
                    missing, default_change_reason="First record of a loaded record"
                )
                total += len(missing)
        self.stdout.write(f"History started for {total} records.")
