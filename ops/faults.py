"""
When the database is gone or busy, say so: a 503 page with Retry-After instead of a 500, and
one log line when an outage starts and one when it ends, instead of a traceback per request.

Django sends every exception nobody caught to the project's handler500 (observatory/urls.py),
wherever it was raised: in a view, or in a middleware that reads the session. This handler
answers 503 for the database's faults and leaves every other error to Django's 500 page. A
session that cannot be saved because the database is gone comes to handler400 instead, as
"the session was deleted" (Django's SessionInterrupted): that too is a 503, not a 400 that
tells staff they were logged out.

- *Unavailable*: the server refused or dropped the connection (down, restarting, unreachable,
  out of connections). Logged once per outage in each process, then once when a new connection
  succeeds again.
- *Busy*: a lock or statement timeout (settings: DATABASE_LOCK_TIMEOUT_MS, ...), a deadlock or
  a serialization failure, SQLite's "database is locked". Nothing is wrong with the server; one
  warning line per refused request, without a traceback.
"""

import logging
import sqlite3
import sys
import threading
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

UNAVAILABLE = "unavailable"
BUSY = "busy"
RETRY_AFTER_SECONDS = 5

# PostgreSQL's SQLSTATE codes. Class 08 is "connection exception"; 57P01-57P03: the server is
# shutting down or starting up; 53300: too many connections.
_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300"}
# 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout), 25P03
# idle_in_transaction_session_timeout, 40001 serialization failure, 40P01 deadlock.
_BUSY_STATES = {"55P03", "57014", "25P03", "40001", "40P01"}


def classify(error):
    """UNAVAILABLE, BUSY, or None for an error that is not the database's fault (a bug)."""
    if isinstance(error, InterfaceError):
        return UNAVAILABLE  # the connection is already closed
    if not isinstance(error, OperationalError):
        return None
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None)
    if state:
        if state.startswith("08") or state in _UNAVAILABLE_STATES:
            return UNAVAILABLE
        return BUSY if state in _BUSY_STATES else None
    if isinstance(cause, sqlite3.OperationalError):
        text = str(cause)
        if "database is locked" in text or "database table is locked" in text:
            return BUSY
        if "unable to open database file" in text or "disk I/O error" in text:
            return UNAVAILABLE
        return None
    if type(cause).__module__.startswith("psycopg"):
        # No SQLSTATE: the client library's own failure to connect or to read an answer.
        return UNAVAILABLE
    return None


def first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class _Outage:
    """When this process found the database unavailable, until a connection succeeds again."""

    def __init__(self):
        self._lock = threading.Lock()
        self.since = None

    def began(self, error):
        with self._lock:
            if self.since is not None:
                return
            self.since = time.monotonic()
        logger.error(
            "The database is unavailable (%s): answering 503 until it is back.", first_line(error)
        )

    def ended(self, **kwargs):
        with self._lock:
            if self.since is None:
                return
            lasted, self.since = time.monotonic() - self.since, None
        logger.warning("The database is available again after %.1f s.", lasted)


outage = _Outage()


def reset():
    """Forget any outage in progress (tests)."""
    outage.since = None


def database_connected(sender, connection, **kwargs):
    """connection_created: a new connection succeeded, so any outage is over."""
    outage.ended()


def _database_fault(error):
    """The database fault behind `error`, following the exceptions it was raised from."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if classify(error) is not None:
            return error
        error = error.__cause__ or error.__context__
    return None


def server_error(request):
    """handler500: a 503 for the database's faults, Django's 500 page for everything else."""
    error = sys.exc_info()[1]
    if classify(error) is None:
        return defaults.server_error(request)
    return unavailable(request, error)


def bad_request(request, exception):
    """
    handler400: a session save the database failed is a 503; a form too large to read a 400
    that says what happened and how to keep what was typed; anything else Django's 400.
    """
    error = _database_fault(exception)
    if error is not None:
        return unavailable(request, error)
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        context = {
            "too_big": isinstance(exception, RequestDataTooBig),
            "too_many_fields": isinstance(exception, TooManyFieldsSent),
            "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
            "file_limit": filesizeformat(settings.SOURCE_FILE_MAX_BYTES),
        }
        # Rendered without the request or the database, like Django's own 400 page.
        response = HttpResponseBadRequest(render_to_string("400.html", context))
        response["Cache-Control"] = "no-store"
        return response
    return defaults.bad_request(request, exception)


def unavailable(request, error):
    """The 503 page for the database fault `error`, logged in one line."""
    kind = classify(error)
    if kind == UNAVAILABLE:
        outage.began(error)
    else:
        logger.warning(
            "The database is busy (%s): %s %s answered 503.",
            first_line(error),
            request.method,
            request.path,
        )
    # Rendered without the request or the database, like the 500 page.
    page = render_to_string("503.html", {"busy": kind == BUSY, "saving": request.method == "POST"})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above, in one line: Django would log a traceback for every such request.
    response._has_been_logged = True
    return response
