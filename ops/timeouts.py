"""
The statement timeout (DATABASE_STATEMENT_TIMEOUT_MS) bounds what a web request may ask of
PostgreSQL. Migrations and the commands that fill or scan the whole database run far longer
(adding a generated column to a million rows takes minutes), so they lift it for their own
connection. The lock timeout stays: a migration should fail fast rather than queue behind a
long transaction while the site queues behind it.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def lift_statement_timeout(using=DEFAULT_DB_ALIAS):
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


def before_migrating(sender, using, **kwargs):
    """pre_migrate: the connection `migrate` uses has no statement timeout."""
    lift_statement_timeout(using)


def after_migrating(sender, using, **kwargs):
    """post_migrate: back to the configured timeout (a test run goes on with this connection)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
