"""
Backups: the database and the private files in one timestamped directory.

    observatory-20261122-101500/
        manifest.json       what is inside, with the SHA-256 of each part
        database.dump       PostgreSQL: pg_dump's custom format (restored with pg_restore)
        database.sqlite3    SQLite: a consistent copy made with SQLite's backup API
        files.tar           the private files directory (uploaded source documents)

A backup is written under a temporary name and renamed when complete, so an interrupted one
never looks usable; a restore checks every checksum before it touches anything.
"""

import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 -- runs pg_dump and pg_restore with argument lists, no shell
import tarfile
from pathlib import Path

import dj_database_url
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from public.cache import invalidate_public_pages

MANIFEST = "manifest.json"
FORMAT = 1
FILES_ARCHIVE = "files.tar"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite3": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message saying why and what to do."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def engine_of(settings_dict):
    engine = settings_dict["ENGINE"].rsplit(".", 1)[-1]
    if engine not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")
    return engine


def settings_for_url(url, base):
    """The settings of the database at `url`, with the rest taken from `base`."""
    try:
        parsed = dj_database_url.parse(url)
    except ValueError as error:
        raise BackupError(f"Not a database URL: {error}") from None
    return {**base, **parsed}


# --- PostgreSQL --------------------------------------------------------------------------------


def pg_environment(settings_dict):
    """libpq's variables for the database, so that no password appears in a command line."""
    environment = dict(os.environ)
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGSSLMODE": settings_dict.get("OPTIONS", {}).get("sslmode"),
    }
    environment.update({name: str(value) for name, value in values.items() if value})
    return environment


def pg_connect(settings_dict, dbname=None):
    import psycopg

    parameters = {
        "dbname": dbname or settings_dict["NAME"],
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "sslmode": settings_dict.get("OPTIONS", {}).get("sslmode"),
    }
    try:
        return psycopg.connect(
            autocommit=True, **{key: str(value) for key, value in parameters.items() if value}
        )
    except psycopg.OperationalError as error:
        raise BackupError(f"Cannot connect to the database: {error}".strip()) from None


def server_major_version(settings_dict):
    with pg_connect(settings_dict) as connection:
        return connection.info.server_version // 10000


def tool_major_version(tool):
    output = subprocess.run(  # noqa: S603  # nosec B603 -- a fixed argument list, no shell
        [tool, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    if match is None:
        raise BackupError(f"Cannot tell the version of {tool} from {output.strip()!r}.")
    return int(match[1])


def pg_tool(name, server_major):
    """
    pg_dump or pg_restore of the server's major version: Debian keeps one per version under
    /usr/lib/postgresql/N/bin; otherwise the one on PATH, if its version is the server's. A
    pg_dump older than the server refuses to run, and a newer one writes dumps that an older
    server cannot always restore, so only the same major version is used.
    """
    versioned = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    tool = str(versioned) if versioned.is_file() else shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL {server_major} client tools "
            f"(on Debian: apt-get install postgresql-client-{server_major})."
        )
    major = tool_major_version(tool)
    if major != server_major:
        raise BackupError(
            f"{tool} is PostgreSQL {major}, but the server is PostgreSQL {server_major}. "
            f"Install the PostgreSQL {server_major} client tools "
            f"(on Debian: apt-get install postgresql-client-{server_major})."
        )
    return tool


def run_tool(arguments, settings_dict):
    result = subprocess.run(  # noqa: S603  # nosec B603 -- our own argument list, no shell
        arguments, env=pg_environment(settings_dict), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(
            f"{Path(arguments[0]).name} failed: {result.stderr.strip() or result.returncode}"
        )


def pg_database_is_empty(settings_dict):
    with pg_connect(settings_dict) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return count == 0


# --- SQLite ------------------------------------------------------------------------------------


def sqlite_path(settings_dict):
    name = str(settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database cannot be restored into.")
    return Path(name)


def sqlite_database_is_empty(settings_dict):
    path = sqlite_path(settings_dict)
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
    return count == 0


# --- Backup ------------------------------------------------------------------------------------


def _archive_files(files_dir, archive):
    """The regular files under files_dir, by their path relative to it; links are left out."""
    count = 0
    with tarfile.open(archive, "w") as tar:
        if files_dir.is_dir():
            for path in sorted(files_dir.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=path.relative_to(files_dir).as_posix(), recursive=False)
                    count += 1
    return count


def create_backup(output_dir, files_dir, alias="default"):
    """Write a backup of the database `alias` and of files_dir into output_dir; its path."""
    connection = connections[alias]
    settings_dict = connection.settings_dict
    engine = engine_of(settings_dict)
    now = datetime.datetime.now(datetime.UTC)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"observatory-{now:%Y%m%d-%H%M%S}"
    if target.exists():
        raise BackupError(f"{target} already exists; wait a second and try again.")
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(mode=0o700)
    try:
        database_file = partial / DATABASE_FILES[engine]
        database = {"engine": engine, "file": database_file.name}
        if engine == "postgresql":
            major = server_major_version(settings_dict)
            pg_dump = pg_tool("pg_dump", major)
            run_tool(
                [
                    pg_dump,
                    "--format=custom",
                    f"--file={database_file}",
                    f"--dbname={settings_dict['NAME']}",
                ],
                settings_dict,
            )
            database["server_version"] = major
        else:
            # SQLite's backup API copies a consistent state even while others write.
            connection.ensure_connection()
            with sqlite3.connect(database_file) as copy:
                connection.connection.backup(copy)
            copy.close()
        database["sha256"] = sha256(database_file)
        count = _archive_files(Path(files_dir), partial / FILES_ARCHIVE)
        migrations = MigrationRecorder(connection).applied_migrations()
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "database": database,
            "files": {
                "file": FILES_ARCHIVE,
                "count": count,
                "sha256": sha256(partial / FILES_ARCHIVE),
            },
            "latest_migrations": {
                app: max(name for app_label, name in migrations if app_label == app)
                for app in sorted({app for app, _name in migrations})
            },
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        for path in partial.iterdir():
            path.chmod(0o600)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(target)
    return target


# --- Restore -----------------------------------------------------------------------------------


def read_manifest(backup_dir):
    """The manifest of a complete, undamaged backup; BackupError otherwise."""
    backup_dir = Path(backup_dir)
    try:
        manifest = json.loads((backup_dir / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{backup_dir} is not a backup: it has no {MANIFEST}.") from None
    except (ValueError, OSError) as error:
        raise BackupError(f"The manifest of {backup_dir} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{backup_dir} is a backup of an unknown format.")
    for part in (manifest["database"], manifest["files"]):
        path = backup_dir / Path(part["file"]).name
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {path.name} is missing.")
        if sha256(path) != part["sha256"]:
            raise BackupError(f"The backup is damaged: {path.name} does not match its checksum.")
    return manifest


def _check_archive(archive, files_dir):
    """Refuse, before anything is restored, an archive that would write outside files_dir."""
    with tarfile.open(archive) as tar:
        for member in tar:
            try:
                tarfile.data_filter(member, str(files_dir))
            except tarfile.FilterError as error:
                raise BackupError(
                    f"The backup's files cannot be restored safely: {error}"
                ) from None


def _has_files(directory):
    return directory.is_dir() and any(directory.iterdir())


def restore_backup(backup_dir, settings_dict, files_dir, force=False):
    """
    Restore a backup into the database described by settings_dict and into files_dir. Both
    must be empty unless `force`: then the database's contents are replaced and the backup's
    files are written over those of the same name.
    """
    backup_dir = Path(backup_dir)
    files_dir = Path(files_dir)
    manifest = read_manifest(backup_dir)
    engine = engine_of(settings_dict)
    if manifest["database"]["engine"] != engine:
        raise BackupError(
            f"This is a backup of a {manifest['database']['engine']} database; "
            f"it cannot be restored into {engine}."
        )
    database_file = backup_dir / Path(manifest["database"]["file"]).name
    if engine == "postgresql":
        major = server_major_version(settings_dict)
        pg_restore = pg_tool("pg_restore", major)
        if not force and not pg_database_is_empty(settings_dict):
            raise BackupError(_not_empty(f"The database {settings_dict['NAME']}"))
    elif not force and not sqlite_database_is_empty(settings_dict):
        raise BackupError(_not_empty(f"The database {settings_dict['NAME']}"))
    if not force and _has_files(files_dir):
        raise BackupError(_not_empty(f"The files directory {files_dir}"))
    _check_archive(backup_dir / FILES_ARCHIVE, files_dir)

    if engine == "postgresql":
        arguments = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error"]
        if force:
            arguments += ["--clean", "--if-exists"]
        arguments += ["--single-transaction", f"--dbname={settings_dict['NAME']}", database_file]
        run_tool([str(argument) for argument in arguments], settings_dict)
    else:
        target = sqlite_path(settings_dict)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(database_file) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()

    files_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup_dir / FILES_ARCHIVE) as tar:
        # The "data" filter refuses absolute paths, "..", links out of the directory and
        # special files, whatever the archive holds.
        tar.extractall(files_dir, filter="data")
    # The data changed under every cached page: none may be served again. The restored
    # database holds the page generation of the backup; a fresh one replaces it.
    invalidate_public_pages()
    return manifest


def _not_empty(what):
    return (
        f"{what} is not empty. Restore into an empty one, or pass --force "
        "(make restore FORCE=1) to replace what it holds."
    )
