from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases import transfer
from ops.timeouts import lift_statement_timeout


class Command(BaseCommand):
    help = (
        "Import a spreadsheet (CSV or XLSX) of one kind of record, as the workspace's import "
        "page does, for files too large to wait for in a browser: checked whole, every error "
        "listed, then written all or nothing, as the staff member given (their role decides "
        "which columns they may write). --check writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(transfer.KINDS))
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the staff member importing it")
        parser.add_argument("--check", action="store_true", help="list the errors only")

    def handle(self, *args, kind, file, user, check, **options):
        path = Path(file)
        file_format = path.suffix.lower().lstrip(".")
        if file_format not in transfer.FORMATS:
            raise CommandError("Give a file ending in .csv or .xlsx.")
        try:
            staff = get_user_model().objects.get(username=user, is_staff=True, is_active=True)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No active staff account is called {user!r}.") from error
        if not transfer.may_import(staff, kind):
            raise CommandError(f"{user} may not add and change {kind}.")
        try:
            dataset = transfer.read(file_format, path.read_bytes())
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        lift_statement_timeout()  # one transaction for the whole file
        report = transfer.run_import(staff, kind, dataset, dry_run=check)
        for number, message in report.errors:
            self.stderr.write(f"row {number}: {message}")
        summary = (
            f"{report.rows} rows: {report.new} new, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
        if not report.ok:
            raise CommandError(f"Nothing was written: {len(report.errors)} errors ({summary}).")
        self.stdout.write(f"{'Checked' if check else 'Imported'}: {summary}.")
