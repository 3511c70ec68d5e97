"""
The import of 10,000 alerts from one spreadsheet (issue 19: under 60 s on this machine).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/observatory_bench \
        python -m benchmarks.import_alerts        # or: make bench-import

It migrates the database if needed, adds a case of its own (external id
"benchmark-import"), builds a CSV of BENCH_IMPORT_ROWS (10,000) alerts for it, and times,
with the workspace's own code (cases/transfer.py): reading the file, the check (a dry run:
every row validated and saved, then rolled back), the import itself, and the same file
again (nothing to write). It then deletes what it added, so a run leaves the database as
it found it (but its history rows).
"""

import datetime
import os
import sys
import time

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
TARGET_SECONDS = 60
CASE = "benchmark-import"


def main():
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        sys.exit("Set BENCH_DATABASE_URL to the database to measure on (it is migrated).")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-used-for-anything")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    os.environ["DATABASE_STATEMENT_TIMEOUT_MS"] = "0"
    import django

    django.setup()
    import tablib
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import CASE_OFFICER
    from cases import transfer
    from cases.models import Alert, Case

    user, _ = get_user_model().objects.get_or_create(
        username="benchmark-importer", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=CASE_OFFICER))
    case, _ = Case.objects.get_or_create(
        external_id=CASE,
        defaults={
            "title": "Benchmark: imported alerts",
            "slug": "benchmark-imported-alerts",
            "state_of_concern": "KZ",
            "opened_on": datetime.date(2000, 1, 1),
        },
    )
    headers = ["external_id", "case", "date", "kind", "title", "description", "verification"]
    rows = [
        [
            f"{CASE}-{i}",
            CASE,
            (datetime.date(2000, 1, 1) + datetime.timedelta(days=i % 9000)).isoformat(),
            "arrest",
            f"Imported alert {i}",
            f"What happened, as the observatory's spreadsheet told it, entry {i}.",
            "reported",
        ]
        for i in range(ROWS)
    ]
    content = tablib.Dataset(*rows, headers=headers).export("csv").encode()
    timings = {}
    try:
        start = time.perf_counter()
        dataset = transfer.read("csv", content)
        timings["read the file"] = time.perf_counter() - start
        for step, dry_run in (("check (dry run)", True), ("import", False), ("again", False)):
            start = time.perf_counter()
            report = transfer.run_import(user, "alerts", dataset, dry_run=dry_run)
            timings[step] = time.perf_counter() - start
            if not report.ok:
                sys.exit(f"The benchmark's own file has errors: {report.errors[:3]}")
            print(
                f"{step}: {timings[step]:.1f} s ({report.new} new, {report.updated} updated, "
                f"{report.unchanged} unchanged)"
            )
    finally:
        Alert.objects.filter(case=case).delete()
        case.delete()
    total = timings["read the file"] + timings["check (dry run)"] + timings["import"]
    print(f"read: {timings['read the file']:.1f} s")
    print(
        f"{ROWS} alerts: checked and imported in {total:.1f} s "
        f"(target under {TARGET_SECONDS} s for the import itself: {timings['import']:.1f} s)"
    )


if __name__ == "__main__":
    main()
