"""Backups restore into an empty database with every record and every file."""

import json
import sqlite3
import subprocess
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.utils import load_backend

from cases import services
from cases.models import ActionTally, PageGeneration, Source
from ops import backups
from tests.factories import (
    make_alert,
    make_case,
    make_citation,
    make_organisation,
    make_recommendation,
    make_source,
    make_staff,
    make_urgent_appeal,
)

PDF = b"%PDF-1.4\n% a witness statement\n%%EOF\n"
POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def files_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def scratch_database(tmp_path):
    """Settings of an empty database on the same server as the test database, dropped after."""
    if not POSTGRESQL:
        yield {**connection.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    settings_dict = {
        **connection.settings_dict,
        "NAME": f"{connection.settings_dict['NAME']}_restore",
    }
    name = settings_dict["NAME"].replace('"', '""')
    with backups.pg_connect(connection.settings_dict, dbname="postgres") as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    yield settings_dict
    with backups.pg_connect(connection.settings_dict, dbname="postgres") as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(settings_dict):
    if not POSTGRESQL:
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict["USER"] or "", safe="")
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def every_row(wrapper):
    """{table: sorted rows} of every table of a database, read through a Django connection."""
    tables = {}
    with wrapper.cursor() as cursor:
        for table in wrapper.introspection.table_names(cursor):
            quoted = wrapper.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 -- table names from the catalogue
            tables[table] = sorted(cursor.fetchall(), key=repr)
    return tables


def make_records(jardemalie):
    """The Jardemalie case (every kind of record) with its history, and more from factories."""
    call_command("record_history_baseline", verbosity=0)
    officer = make_staff("case-officer")
    case = make_case(published=False, internal_notes="not for the public")
    appeal = make_urgent_appeal(case, officer)
    appeal.co_signers.add(make_organisation())
    appeal.save()  # a version of the appeal with its co-signers
    recommendation = make_recommendation(case)
    recommendation.co_issuers.add(make_organisation())
    recommendation.save()  # a version of the recommendation with its co-issuers
    ActionTally.objects.create(appeal=appeal, count=3)  # readers who said they acted
    case.related_cases.add(jardemalie)
    case.collaborators.add(officer)
    case.save()  # a version of the case with its related cases and collaborators
    source = make_source(
        is_public=False,
        file=ContentFile(PDF, name="statement.pdf"),
        file_type="application/pdf",
        file_size=len(PDF),
        file_name="Statement of A.pdf",
    )
    make_citation(source, alert=make_alert(case))
    services.request_publication(source, officer, note="ready once the witness agrees")
    from cases import transfer

    transfer.export(officer, "cases", "csv")  # the log of spreadsheet transfers
    return source


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_record_and_file(
    jardemalie, files_dir, scratch_database, tmp_path
):
    make_records(jardemalie)
    call_command("backup", output_dir=tmp_path / "backups", verbosity=0)
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["files"]["count"] == Source.objects.exclude(file="").count() == 1

    restored_files = tmp_path / "restored-files"
    call_command(
        "restore",
        str(backup),
        database_url=database_url(scratch_database),
        files_dir=restored_files,
        verbosity=0,
    )

    restored = load_backend(scratch_database["ENGINE"]).DatabaseWrapper(
        scratch_database, alias="restored"
    )
    try:
        before, after = every_row(connection), every_row(restored)
    finally:
        restored.close()
    # The restore made every cached page stale: the generation is a new one.
    generation = PageGeneration._meta.db_table
    assert before[generation] != after[generation]
    assert {**after, generation: None} == {**before, generation: None}
    empty = [
        m.__name__ for m in apps.get_app_config("cases").get_models() if not after[m._meta.db_table]
    ]
    assert not empty, "generate records of every model to back up"
    for source in Source.objects.exclude(file=""):
        assert (restored_files / source.file.name).read_bytes() == PDF


@pytest.mark.django_db(transaction=True)
def test_a_restore_makes_every_cached_public_page_stale(files_dir, scratch_database, tmp_path):
    from public.cache import current_generation

    call_command("backup", output_dir=tmp_path / "backups", verbosity=0)
    (backup,) = (tmp_path / "backups").iterdir()
    before = current_generation()
    call_command(
        "restore",
        str(backup),
        database_url=database_url(scratch_database),
        files_dir=tmp_path / "restored-files",
        verbosity=0,
    )
    assert current_generation() != before


def occupy(settings_dict):
    """Put a table of someone else's into a database."""
    if POSTGRESQL:
        with backups.pg_connect(settings_dict) as database:
            database.execute("CREATE TABLE someone_elses (id integer)")
    else:
        with sqlite3.connect(settings_dict["NAME"]) as database:
            database.execute("CREATE TABLE someone_elses (id integer)")
        database.close()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(files_dir, scratch_database, tmp_path):
    make_case()
    call_command("backup", output_dir=tmp_path / "backups", verbosity=0)
    (backup,) = (tmp_path / "backups").iterdir()
    occupy(scratch_database)
    with pytest.raises(CommandError, match="is not empty.*--force"):
        call_command(
            "restore",
            str(backup),
            database_url=database_url(scratch_database),
            files_dir=tmp_path / "elsewhere",
        )
    call_command(
        "restore",
        str(backup),
        database_url=database_url(scratch_database),
        files_dir=tmp_path / "elsewhere",
        force=True,
        verbosity=0,
    )


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_files_directory_that_is_not_empty(files_dir, scratch_database, tmp_path):
    call_command("backup", output_dir=tmp_path / "backups", verbosity=0)
    (backup,) = (tmp_path / "backups").iterdir()
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "kept.txt").write_text("kept")
    with pytest.raises(CommandError, match="files directory .* is not empty"):
        call_command(
            "restore", str(backup), database_url=database_url(scratch_database), files_dir=occupied
        )


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_backup(files_dir, tmp_path):
    call_command("backup", output_dir=tmp_path / "backups", verbosity=0)
    (backup,) = (tmp_path / "backups").iterdir()
    with open(backup / "files.tar", "ab") as archive:
        archive.write(b"tampered")
    with pytest.raises(CommandError, match="files.tar does not match its checksum"):
        call_command("restore", str(backup), files_dir=tmp_path / "elsewhere")
    with pytest.raises(CommandError, match="has no manifest.json"):
        call_command("restore", str(tmp_path), files_dir=tmp_path / "elsewhere")


def test_a_missing_pg_dump_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    monkeypatch.setattr(backups.Path, "is_file", lambda path: False)
    with pytest.raises(backups.BackupError, match="pg_dump was not found.*postgresql-client-15"):
        backups.pg_tool("pg_dump", 15)


def test_a_pg_dump_of_another_major_version_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: "/usr/bin/pg_dump")
    monkeypatch.setattr(backups.Path, "is_file", lambda path: False)

    def version(arguments, **options):
        return subprocess.CompletedProcess(arguments, 0, "pg_dump (PostgreSQL) 14.11\n", "")

    monkeypatch.setattr(backups.subprocess, "run", version)
    with pytest.raises(backups.BackupError, match="is PostgreSQL 14, but the server is .* 16"):
        backups.pg_tool("pg_dump", 16)
    assert backups.pg_tool("pg_dump", 14) == "/usr/bin/pg_dump"


def test_the_restored_archive_cannot_write_outside_the_files_directory(tmp_path):
    import io
    import tarfile

    archive = tmp_path / "files.tar"
    with tarfile.open(archive, "w") as tar:
        member = tarfile.TarInfo("../escaped.txt")
        member.size = 4
        tar.addfile(member, io.BytesIO(b"evil"))
    backup = tmp_path / "backup"
    backup.mkdir()
    archive.rename(backup / "files.tar")
    database = backup / "database.sqlite3"
    database.write_bytes(b"")
    (backup / "manifest.json").write_text(
        json.dumps(
            {
                "format": backups.FORMAT,
                "database": {
                    "engine": "sqlite3",
                    "file": database.name,
                    "sha256": backups.sha256(database),
                },
                "files": {"file": "files.tar", "sha256": backups.sha256(backup / "files.tar")},
            }
        )
    )
    target = tmp_path / "db.sqlite3"
    settings_dict = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)}
    with pytest.raises(backups.BackupError, match="cannot be restored safely"):
        backups.restore_backup(backup, settings_dict, tmp_path / "files")
    assert not (tmp_path / "escaped.txt").exists()
    assert not target.exists()  # refused before the database was touched
