"""The cache is chosen and tuned from the environment, strictly."""

import pytest

from tests.test_settings import start

SHOW = (
    "import observatory.settings as s; "
    "print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION') or '-', "
    "s.PUBLIC_CACHE, s.PUBLIC_CACHE_SECONDS)"
)


def test_local_memory_is_the_default():
    result = start(SHOW, DJANGO_SECRET_KEY="x" * 50)
    assert result.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "-",
        "True",
        "600",
    ]


def test_redis_is_used_when_redis_url_is_set():
    result = start(
        SHOW,
        DJANGO_SECRET_KEY="x" * 50,
        REDIS_URL="redis://127.0.0.1:6379/1",
        DJANGO_PUBLIC_CACHE="0",
        DJANGO_PUBLIC_CACHE_SECONDS="30",
    )
    assert result.stdout.split() == [
        "public.cache_backend.ResilientRedisCache",
        "redis://127.0.0.1:6379/1",
        "False",
        "30",
    ]


def test_redis_calls_have_short_timeouts_and_a_circuit_breaker():
    show = "import observatory.settings as s; print(sorted(s.CACHES['default']['OPTIONS'].items()))"
    default = start(show, DJANGO_SECRET_KEY="x" * 50, REDIS_URL="redis://127.0.0.1:6379/1")
    assert default.stdout.strip() == (
        "[('CIRCUIT_SECONDS', 5), ('socket_connect_timeout', 0.2), ('socket_timeout', 0.2)]"
    )
    tuned = start(
        show,
        DJANGO_SECRET_KEY="x" * 50,
        REDIS_URL="redis://127.0.0.1:6379/1",
        DJANGO_CACHE_TIMEOUT_MS="150",
        DJANGO_CACHE_RETRY_SECONDS="2",
    )
    assert tuned.stdout.strip() == (
        "[('CIRCUIT_SECONDS', 2), ('socket_connect_timeout', 0.15), ('socket_timeout', 0.15)]"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REDIS_URL", "127.0.0.1:6379"),
        ("DJANGO_PUBLIC_CACHE", "sometimes"),
        ("DJANGO_PUBLIC_CACHE_SECONDS", "ten"),
        ("DJANGO_PUBLIC_CACHE_SECONDS", "0"),
        ("DJANGO_CACHE_TIMEOUT_MS", "fast"),
        ("DJANGO_CACHE_TIMEOUT_MS", "0"),
        ("DJANGO_CACHE_RETRY_SECONDS", "0"),
    ],
)
def test_it_names_the_malformed_cache_variable(name, value):
    result = start(DJANGO_SECRET_KEY="x" * 50, **{name: value})
    assert result.returncode == 1
    assert name in result.stderr
    assert result.stderr.strip().count("\n") == 0
