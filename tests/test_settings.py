"""Settings refuse to start on a missing secret or a malformed value, in one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(code="import observatory.settings", **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = start()
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_it_starts_without_a_secret_key_in_debug_mode():
    assert start(DJANGO_DEBUG="1").returncode == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "not-a-url"),
        ("RECOMMENDATION_OVERDUE_DAYS", "ninety"),
        ("RECOMMENDATION_OVERDUE_DAYS", "0"),
    ],
)
def test_it_names_the_malformed_variable(name, value):
    result = start(DJANGO_SECRET_KEY="x" * 50, **{name: value})
    assert result.returncode == 1
    assert name in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_debug_is_off_by_default():
    code = "import observatory.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)"
    result = start(code, DJANGO_SECRET_KEY="x" * 50)
    assert result.stdout.split() == ["False", "True"]


def test_debug_can_be_asked_for():
    result = start("import observatory.settings as s; print(s.DEBUG)", DJANGO_DEBUG="yes")
    assert result.stdout.strip() == "True"
