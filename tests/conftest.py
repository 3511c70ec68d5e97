import pytest


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Production hashes static names after collectstatic; tests render without that step."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
