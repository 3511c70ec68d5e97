"""
Schemathesis against the API's own OpenAPI schema, served by the project itself and called
in the process through WSGI (no network): for every operation, generated parameters (valid
and not), no 5xx, and every answer conforms to the schema (status, content type, body).
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi import checks

pytestmark = pytest.mark.django_db

# Checks of the answers themselves. "Negative data rejection" is left out: the lists ignore a
# parameter they do not know, as the site's pages do, rather than refuse it.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture
def schema(jardemalie, settings):
    settings.API_RATE = "100000/minute"
    settings.PUBLIC_CACHE = False
    # The application is called as a server calls it; as Django's own test client does, keep
    # it from closing the test's connection (and its transaction) at each request's ends.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_answers_as_its_schema_says(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=30,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answers(case):
            case.call_and_validate(checks=CHECKS)

        answers()
