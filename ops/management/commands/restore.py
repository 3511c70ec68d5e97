from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ops.backups import BackupError, restore_backup, settings_for_url


class Command(BaseCommand):
    help = (
        "Restore a backup made by the backup command into an empty database and an empty "
        "private files directory; --force replaces what they hold."
    )
    # The checks would open the database this command may be about to replace.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup directory, e.g. backups/observatory-…")
        parser.add_argument(
            "--database-url",
            help="Restore into this database instead of the configured one.",
        )
        parser.add_argument(
            "--files-dir",
            default=settings.MEDIA_ROOT,
            help="Restore the files here (default: DJANGO_PRIVATE_FILES_DIR).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a database or files directory that is not empty.",
        )

    def handle(self, *args, backup, database_url, files_dir, force, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        settings_dict = dict(connection.settings_dict)
        if database_url:
            settings_dict = settings_for_url(database_url, settings_dict)
        # Nothing of ours may hold the database open while it is replaced.
        connection.close()
        try:
            manifest = restore_backup(backup, settings_dict, files_dir, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} "
                f"({manifest['files']['count']} files). If this code is newer than the "
                "backup, run: python manage.py migrate"
            )
        )
