from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running an observatory: backups and restore, the history baseline, generated data."""

    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import faults, timeouts

        # An outage logged by ops.faults ends when a new connection succeeds.
        connection_created.connect(faults.database_connected, dispatch_uid="ops-outage-ended")
        pre_migrate.connect(timeouts.before_migrating, dispatch_uid="ops-migrating")
        post_migrate.connect(timeouts.after_migrating, dispatch_uid="ops-migrated")
