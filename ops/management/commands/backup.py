from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from ops.backups import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump's custom format, or a consistent SQLite copy) and the "
        "private files into one timestamped directory with a manifest of checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=settings.BACKUP_DIR,
            help="Where the backup directory is created (default: OBSERVATORY_BACKUP_DIR).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output_dir, database, **options):
        try:
            target = create_backup(output_dir, settings.MEDIA_ROOT, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))
