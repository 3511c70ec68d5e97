"""Logging filters (settings.LOGGING), imported before the apps: no model or view imports here."""

import logging


class DatabaseFaultsOnly:
    """
    Drops Django's warning that a constraint could not be checked because the database failed
    ("Got a database error calling check()"): while the database is gone, a form logs one for
    every constraint of the model, on every request. The save then fails too, and its 503 is
    logged once per outage (ops/faults.py). Other warnings of the logger pass.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Got a database error calling check()"):
            return True
        from .faults import classify

        error = record.args[-1] if isinstance(record.args, tuple) and record.args else None
        return classify(error) is None
