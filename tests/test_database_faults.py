"""
The database slow, locked or gone: PostgreSQL has lock and statement timeouts, a wait for a lock
ends in an answer in words (nothing saved, the input kept), an unreachable database is a 503
page with Retry-After instead of a 500, and an outage is logged once, not once per request.
"""

import contextlib
import copy
import logging
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse

from benchmarks.private_postgres import PrivatePostgres, binaries, free_port
from cases import services
from cases.models import Appeal
from ops import faults
from tests.admin_forms import form_data
from tests.factories import log_in, make_case, make_staff, make_urgent_appeal
from tests.test_settings import start

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="lock and statement timeouts are PostgreSQL's"
)

SHOW_DATABASE = (
    "import observatory.settings as s; d = s.DATABASES['default']; o = d.get('OPTIONS', {}); "
    "print(o.get('options', '-')); print(o.get('connect_timeout', '-')); "
    "print(d['CONN_HEALTH_CHECKS'])"
)
POSTGRES = "postgres://postgres@127.0.0.1:5432/observatory"


# --- Configuration ----------------------------------------------------------------------------


def test_postgresql_gets_lock_and_statement_timeouts_by_default():
    result = start(SHOW_DATABASE, DJANGO_SECRET_KEY="x" * 50, DATABASE_URL=POSTGRES)
    options, connect_timeout, health_checks = result.stdout.splitlines()
    assert "-c lock_timeout=5000" in options
    assert "-c statement_timeout=20000" in options
    assert "-c idle_in_transaction_session_timeout=60000" in options
    assert connect_timeout == "5"
    assert health_checks == "True"


def test_the_timeouts_come_from_the_environment():
    result = start(
        SHOW_DATABASE,
        DJANGO_SECRET_KEY="x" * 50,
        DATABASE_URL=POSTGRES,
        DATABASE_LOCK_TIMEOUT_MS="1500",
        DATABASE_STATEMENT_TIMEOUT_MS="0",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    options, connect_timeout, _checks = result.stdout.splitlines()
    assert "-c lock_timeout=1500" in options and "-c statement_timeout=0" in options
    assert connect_timeout == "2"


@pytest.mark.parametrize(
    "name",
    ["DATABASE_LOCK_TIMEOUT_MS", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_CONNECT_TIMEOUT"],
)
def test_a_malformed_timeout_stops_start_up_with_its_name(name):
    result = start(DJANGO_SECRET_KEY="x" * 50, DATABASE_URL=POSTGRES, **{name: "soon"})
    assert result.returncode == 1 and name in result.stderr


def test_sqlite_gets_no_postgresql_options():
    result = start(SHOW_DATABASE, DJANGO_SECRET_KEY="x" * 50)
    assert result.stdout.splitlines()[:2] == ["-", "-"]


@needs_postgresql
@pytest.mark.django_db
def test_every_connection_holds_the_configured_timeouts():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "5s"
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "20s"


# --- Waiting for a lock -------------------------------------------------------------------------


@contextlib.contextmanager
def row_locked_elsewhere(table, pk, seconds):
    """Another session holds a row lock on `table` row `pk` for `seconds` (or until the end)."""
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )
    other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608
    timer = threading.Timer(seconds, other.rollback)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        other.rollback()
        other.close()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_publish_waiting_for_a_lock_gets_an_answer_within_the_lock_timeout():
    officer, publisher = make_staff("case-officer"), make_staff("publisher")
    appeal = make_urgent_appeal(make_case(), officer)
    services.submit_for_review(appeal, officer)
    client = log_in(Client(), publisher)
    url = reverse("admin:cases_appeal_publish", args=[appeal.pk])
    version = Appeal.objects.values_list("version", flat=True).get(pk=appeal.pk)
    with row_locked_elsewhere("cases_appeal", appeal.pk, seconds=12):
        began = time.monotonic()
        response = client.post(url, {"version": version}, follow=True)
        waited = time.monotonic() - began
    assert response.status_code == 200
    assert waited < 9  # the lock timeout (5 s), not the other session's 12 s
    # Back on the appeal's page, which also says it is still in review.
    notices = [str(m) for m in response.context["messages"]]
    assert any("Nothing was done" in n and "at this moment" in n for n in notices), notices
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.IN_REVIEW and appeal.reference_code == ""


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_for_a_lock_comes_back_with_its_input():
    officer = make_staff("case-officer")
    case = make_case(summary="Before.")
    client = log_in(Client(), officer)
    url = reverse("admin:cases_case_change", args=[case.pk])
    data = form_data(client.get(url))
    data["summary_en"] = "Typed while someone else held the case."
    with row_locked_elsewhere("cases_case", case.pk, seconds=12):
        began = time.monotonic()
        response = client.post(url, data)
        waited = time.monotonic() - began
    assert waited < 9
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page and "at this moment" in page
    assert "Typed while someone else held the case." in page
    case.refresh_from_db()
    assert case.summary == "Before." and case.version == 1


# --- The database unreachable -------------------------------------------------------------------


def _wrapper(**changes):
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    settings_dict.update(changes)
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")


@contextlib.contextmanager
def default_database(wrapper):
    """Requests in this thread use `wrapper` as the default database."""
    real = connections["default"]
    connections._connections.default = wrapper
    try:
        yield
    finally:
        connections._connections.default = real
        with contextlib.suppress(Exception):
            wrapper.close()


def _unreachable():
    if connection.vendor == "postgresql":
        return _wrapper(HOST="127.0.0.1", PORT=str(free_port()))
    return _wrapper(NAME="/nonexistent/observatory/db.sqlite3")


@pytest.fixture
def reader():
    return Client(raise_request_exception=False)


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_gives_a_503_with_retry_after(reader):
    with default_database(_unreachable()):
        response = reader.get(reverse("cases:case_list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.mark.django_db(transaction=True)
def test_a_staff_save_during_an_outage_is_told_nothing_was_saved(reader):
    log_in(reader, make_staff("case-officer"))
    with default_database(_unreachable()):
        response = reader.post(reverse("admin:cases_case_add"), {"title": "Typed"})
    assert response.status_code == 503
    assert "Nothing was saved" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_outage_is_logged_once_and_its_end_once(reader, caplog):
    faults.reset()
    caplog.set_level(logging.INFO)
    with default_database(_unreachable()):
        for _ in range(5):
            assert reader.get(reverse("cases:case_list")).status_code == 503
    with default_database(_wrapper()):
        assert reader.get(reverse("cases:case_list")).status_code == 200
    lines = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    outage = [line for line in lines if line[0] == "ops.faults"]
    assert len(outage) == 2, lines
    assert outage[0][1] == "ERROR" and "unavailable" in outage[0][2]
    assert outage[1][1] == "WARNING" and "available again after" in outage[1][2]
    assert not [line for line in lines if line[0] == "django.request"]  # no traceback per request
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.django_db
def test_any_other_error_is_still_a_500(reader, settings):
    settings.ROOT_URLCONF = "tests.urls_with_a_bug"
    response = reader.get("/bug/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Retry-After" not in response
    assert faults.classify(RuntimeError("a bug")) is None
    assert faults.classify(OperationalError("no such table: cases_case")) is None


# --- The errors of a real restart, from a PostgreSQL of the test's own -------------------------


needs_binaries = pytest.mark.skipif(binaries() is None, reason="no PostgreSQL server binaries")


@needs_binaries
@pytest.mark.django_db  # lets the test open connections, here only to its own server
def test_the_errors_of_a_restarting_postgresql_are_recognised():
    with PrivatePostgres() as server:
        wrapper = _wrapper(
            ENGINE="django.db.backends.postgresql",
            NAME="postgres",
            USER="postgres",
            PASSWORD="",
            HOST="127.0.0.1",
            PORT=str(server.port),
            OPTIONS={},
            CONN_HEALTH_CHECKS=True,
        )
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
        server.stop()
        seen = []
        for _ in range(2):  # the broken connection, then a new one to a stopped server
            with contextlib.suppress(Exception):
                wrapper.close()
            try:
                with wrapper.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except Exception as error:  # noqa: BLE001 - each one is classified below
                seen.append(error)
        server.start()
        assert server.wait_until_ready()
        wrapper.close()
        with wrapper.cursor() as cursor:  # back: a new connection works
            cursor.execute("SELECT 1")
        wrapper.close()
    assert seen
    assert all(faults.classify(error) == faults.UNAVAILABLE for error in seen), seen


@pytest.mark.django_db
def test_a_session_that_cannot_be_saved_during_an_outage_is_a_503_not_a_400(reader, monkeypatch):
    """
    The restart benchmark found it: Django turns a failed session save into "the session was
    deleted" (a 400), which tells staff they were logged out when the database was only gone.
    """
    import sqlite3

    import psycopg
    from django.contrib.sessions.models import Session

    log_in(reader, make_staff("case-officer"))
    faults.reset()

    def cut(*args, **kwargs):
        if connection.vendor == "postgresql":
            cause = psycopg.OperationalError("server closed the connection unexpectedly")
        else:
            cause = sqlite3.OperationalError("unable to open database file")
        raise OperationalError(str(cause)) from cause

    monkeypatch.setattr(Session, "save", cut)
    response = reader.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "temporarily unavailable" in response.content.decode()


def test_any_other_bad_request_is_still_a_400(reader, settings, db):
    settings.ROOT_URLCONF = "tests.urls_with_a_bug"
    response = reader.get("/bad-request/")
    assert response.status_code == 400


@pytest.mark.django_db
def test_constraint_checks_the_database_failed_log_no_line_each(reader, caplog, monkeypatch):
    """
    A form checks each constraint of its model with a query; when the database fails them,
    Django warns once per constraint, on every request. The outage is logged once instead.
    """
    from django.db.models.sql.compiler import SQLCompiler

    log_in(reader, make_staff("case-officer"))
    url = reverse("admin:cases_source_add")
    form = form_data(reader.get(url))
    form.update({"title": "A source", "kind": "ngo_statement", "language": "en"})
    failed = []
    original = SQLCompiler.execute_sql

    def failing_checks(self, *args, **kwargs):
        if "_check" in self.query.annotations:  # the query of Q.check()
            failed.append(self.query)
            raise OperationalError("gone") from _driver_error()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", failing_checks)
    caplog.set_level(logging.WARNING)
    reader.post(url, form)
    assert len(failed) >= 3  # the checks were made, and failed
    assert not [r for r in caplog.records if "calling check()" in r.getMessage()]


def _driver_error():
    import sqlite3

    import psycopg

    if connection.vendor == "postgresql":
        return psycopg.OperationalError("server closed the connection unexpectedly")
    return sqlite3.OperationalError("unable to open database file")


def test_the_filter_keeps_check_warnings_that_are_not_an_outage():
    from ops.log_filters import DatabaseFaultsOnly

    def record(error):
        return logging.LogRecord(
            "django.db.models", logging.WARNING, __file__, 1,
            "Got a database error calling check() on %r: %s", ("Q", error), None,
        )  # fmt: skip

    outage = OperationalError("gone")
    outage.__cause__ = _driver_error()
    assert DatabaseFaultsOnly().filter(record(outage)) is False
    assert DatabaseFaultsOnly().filter(record(OperationalError("no such column"))) is True


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_does_not_keep_its_locks(tmp_path):
    """
    The fault run found it: gunicorn killed a worker in the middle of a statement, and its
    locks stayed until the statement ended (22 s), holding up an unrelated publish. With the
    connection's client check, PostgreSQL notices within about two seconds that the worker is
    gone, and ends its transaction.
    """
    import os
    import signal
    import subprocess
    import sys

    import psycopg

    case = make_case()
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    worker = subprocess.Popen(  # noqa: S603 - this interpreter, our own code
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from django.db import connection, transaction\n"
            "from cases.models import Case\n"
            "with transaction.atomic():\n"
            f"    Case.objects.select_for_update().get(pk={case.pk})\n"
            "    print('locked', flush=True)\n"
            "    connection.cursor().execute('SELECT pg_sleep(15)')\n",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "observatory.settings",
            "DJANGO_SECRET_KEY": "x",
            "DATABASE_URL": url,
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "locked"
        time.sleep(0.5)  # in its long statement now
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        killed = time.monotonic()
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as other:
            while True:
                try:
                    with other.transaction():
                        other.execute(
                            "SELECT 1 FROM cases_case WHERE id = %s FOR UPDATE NOWAIT", [case.pk]
                        )
                    break
                except psycopg.errors.LockNotAvailable:
                    assert time.monotonic() - killed < 8, "the killed worker's lock is still held"
                    time.sleep(0.1)
        released_after = time.monotonic() - killed
    finally:
        if worker.poll() is None:
            worker.kill()
    assert released_after < 5
