"""
Settings for Observatory: one module, configured only by environment variables.

Each variable is read by a small strict helper. A malformed value, or a missing secret key
with DEBUG off, stops start-up with a one-line message that says what to set.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def config_error(message):
    """Stop start-up with one line on stderr rather than a traceback."""
    sys.exit(f"Configuration error: {message}")


def env_str(name, default=""):
    return os.environ.get(name, default).strip()


def env_bool(name, default=False):
    value = env_str(name).lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    return config_error(f"{name} must be 1/true/yes/on or 0/false/no/off, not {value!r}.")


def env_int(name, default, minimum=None):
    value = env_str(name)
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        return config_error(f"{name} must be a whole number, not {value!r}.")
    if minimum is not None and number < minimum:
        return config_error(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name, default=()):
    value = env_str(name)
    if value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        config_error(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The admin with the staff dashboard as its index (observatory/apps.py).
    "observatory.apps.ObservatoryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "simple_history",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change, wherever in a request it is saved.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "observatory.urls"
WSGI_APPLICATION = "observatory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.context_processors.observatory",
            ],
        },
    },
]

# SQLite in the project directory when DATABASE_URL is unset, so a fresh clone runs with
# no server; PostgreSQL in production, e.g. postgres://user:password@host:5432/observatory.
_default_database_url = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL") or _default_database_url,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as error:
    config_error(
        f"DATABASE_URL is not a database URL ({error}); "
        "use e.g. postgres://postgres@127.0.0.1:5432/observatory or sqlite:////path/to/db.sqlite3."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names in production (after collectstatic); plain files when
        # developing, so that runserver needs no collectstatic step.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Uploaded source documents live outside the static and media URLs; they are only ever
# served through a view that checks permission.
MEDIA_ROOT = Path(env_str("DJANGO_PRIVATE_FILES_DIR") or BASE_DIR / "private")

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Security headers that hold everywhere; the HTTPS-only ones follow DJANGO_HTTPS.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0, minimum=0)
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

# The observatory running this instance.
OBSERVATORY_NAME = env_str("OBSERVATORY_NAME", "Observatory")
# The prefix of the reference codes this observatory assigns: KAZ 001 / 0720 / OBS 086.
OBSERVATORY_REFERENCE_PREFIX = env_str("OBSERVATORY_REFERENCE_PREFIX", "OBS")
# A pending or committed recommendation with no update for this many days is overdue.
RECOMMENDATION_OVERDUE_DAYS = env_int("RECOMMENDATION_OVERDUE_DAYS", 90, minimum=1)
