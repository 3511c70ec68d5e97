import os

import pytest
from hypothesis import settings as hypothesis_settings

# Fuzzing in the test suite is repeatable: the same examples on every run, nothing stored.
# `make fuzz` (HYPOTHESIS_PROFILE=explore) searches far more widely, with random examples.
hypothesis_settings.register_profile("ci", max_examples=40, derandomize=True, database=None)
hypothesis_settings.register_profile("explore", max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Production hashes static names after collectstatic; tests render without that step."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request for /fr/... leaves French active in
    the thread it ran in, as a server's next request would not see (it activates its own)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def jardemalie(db):
    from django.core.management import call_command

    call_command("loaddata", "vocabularies", "jardemalie", verbosity=0)
    from cases.models import Case

    return Case.objects.get(slug="botagoz-jardemalie")


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}"


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, logged in as far as the admin requires."""
    from tests.factories import log_in

    return log_in(client, admin_user)


@pytest.fixture(autouse=True)
def empty_cache():
    """No cached page or generation carries over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# A Redis server of the test's own, to kill, hang and restart (tests/redis_server.py).
from tests.redis_server import redis_server  # noqa: E402, F401
