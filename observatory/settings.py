"""
Settings for Observatory: one module, configured only by environment variables.

Each variable is read by a small strict helper. A malformed value, or a missing secret key
with DEBUG off, stops start-up with a one-line message that says what to set.
"""

import datetime
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
    # First: its ready() adds the translation columns (cases/translation.py) before the admin
    # and the histories read the models' fields.
    "modeltranslation",
    # The admin with the staff dashboard as its index (observatory/apps.py).
    "observatory.apps.ObservatoryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Staff login: two-factor (TOTP devices, backup codes as static tokens) and lockout.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Before two_factor: its templates in accounts/templates/two_factor/ replace the library's.
    "accounts",
    "two_factor",
    "axes",
    "csp",
    "django_countries",
    "django_filters",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "import_export",
    "cases",
    "public",
    "ops",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cross-origin GET of the public API only (CORS_URLS_REGEX), its preflight included:
    # above the OPTIONS handling below, and above the page cache, so cached answers carry it.
    "corsheaders.middleware.CorsMiddleware",
    # OPTIONS (the allowed methods) and TRACE (refused) without a session, cache or view.
    "observatory.http.HttpMethodsMiddleware",
    # Serves anonymous public pages from the cache before any session, user or locale work
    # (public/cache.py); keep it above the session middleware.
    "public.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The public site's language is in its address (/fr/...); the workspace's the staff's own.
    "django.middleware.locale.LocaleMiddleware",
    "observatory.http.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which OTP device verified this session: request.user.is_verified().
    "django_otp.middleware.OTPMiddleware",
    # Ends staff sessions 12 hours after login, however active.
    "accounts.security.AbsoluteSessionLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change, wherever in a request it is saved.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "public.context_processors.observatory",
                "public.context_processors.languages",
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
# PostgreSQL ends what would otherwise hang a worker until gunicorn kills it (a 500 after 30 s,
# and the killed worker's locks kept until its statement ends): a wait for a lock after
# DATABASE_LOCK_TIMEOUT_MS, any statement after DATABASE_STATEMENT_TIMEOUT_MS (below gunicorn's
# 30 s), a transaction left idle after a minute, a connection attempt after
# DATABASE_CONNECT_TIMEOUT seconds; and it checks every two seconds during a long statement
# that the worker is still there. 0 turns a timeout off. The site answers a timeout with a page
# that says to try again (ops/faults.py); `migrate` and `generate_data` lift the statement
# timeout for themselves.
DATABASE_LOCK_TIMEOUT_MS = env_int("DATABASE_LOCK_TIMEOUT_MS", 5000, minimum=0)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 20000, minimum=0)
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        "options": (
            f"-c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}"
            f" -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
            " -c idle_in_transaction_session_timeout=60000"
            " -c client_connection_check_interval=2000"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 for new and changed passwords; older hashes are still read, and upgraded on login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

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
# The languages of the interface and of translated content (cases/translation.py adds a column
# per language to each translated field: a language added here needs `makemigrations`). The
# first is the default: what the site falls back to, and what an unprefixed address serves.
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Translated content (cases/translation.py): a text missing in the reader's language is shown
# in the first language of LANGUAGES that has it, with a note that says so.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = tuple(code for code, name in LANGUAGES)
MODELTRANSLATION_TRANSLATION_FILES = ("cases.translation",)


def _language_column_label(verbose_name, code):
    """How staff see a field's column in one language: "headline (French)"."""
    from django.utils.translation import get_language_info

    return f"{verbose_name} ({_(get_language_info(code)['name'])})"


MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = _language_column_label
# How each language writes and reads dates: day first, never US month-first
# (observatory/formats/).
FORMAT_MODULE_PATH = ["observatory.formats"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the files whitenoise serves.
STATIC_ROOT = env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
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
# Where `manage.py backup` (make backup) writes its timestamped backups.
BACKUP_DIR = Path(env_str("OBSERVATORY_BACKUP_DIR") or BASE_DIR / "backups")
# Readable by the application's user and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# The largest source document staff may upload (cases.files). Django keeps uploads up to
# FILE_UPLOAD_MAX_MEMORY_SIZE in memory and streams larger ones to a temporary file; the
# reverse proxy should refuse request bodies much larger than this limit.
SOURCE_FILE_MAX_BYTES = env_int("OBSERVATORY_UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Form fields other than files; Django's default, stated so that it is a decision.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

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
# The __Host- prefix makes browsers refuse the cookie unless it is Secure, for this exact
# host and for every path: no subdomain can set or read it. Plain HTTP (local development)
# cannot use the prefix, so it keeps Django's names.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a promise to browsers that is slow to take back: only on request.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: scripts, styles and everything else only from this site, no
# inline script or style, no plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        **({"upgrade-insecure-requests": True} if HTTPS else {}),
    },
}

# Staff login. Every admin page needs a password and a one-time code (two-factor); a staff
# member without an authenticator is sent to set one up first (cases/dashboard.py).
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "admin:index"
LOGOUT_REDIRECT_URL = "cases:home"
# The admin site class enforces verification itself; no patching of Django's AdminSite.
TWO_FACTOR_PATCH_ADMIN = False
# No one, administrators included, can read another staff member's authenticator secret or
# recovery codes in the admin: they could then log in as that person.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The password step of the login is good for five minutes before the code must follow.
TWO_FACTOR_LOGIN_TIMEOUT = 300

# Lockout (django-axes), counted over 15 minutes, with a limit per kind (accounts/lockout.py):
# 5 failed logins lock an account at one address, 20 lock an address for every account, and
# 100 lock an account at every address but those it logged in from in the last 30 days. A
# lockout lifts 15 minutes after the last failure.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
LOCKOUT_LIMITS = {"username+ip_address": 5, "ip_address": 20, "username": 100}
LOCKOUT_KNOWN_ADDRESS_DAYS = 30
# The limit axes compares with; accounts/lockout.py scales each kind's count to it.
AXES_FAILURE_LIMIT = LOCKOUT_LIMITS["username+ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "two_factor/lockout.html"
# Behind the reverse proxy, the client's address is the one the proxy added last to
# X-Forwarded-For; anything to its left was sent by the client and could be forged.
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip_address"

# Staff sessions: 30 minutes idle (each request pushes the expiry back), and 12 hours
# after login whatever the activity (accounts.security.AbsoluteSessionLimitMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_AGE = 12 * 60 * 60

# The cache: local memory by default, Redis when REDIS_URL is set. Local memory is per
# process: each worker keeps its own copies (the page generation is in the database, so none
# is stale), which several workers multiply; production with several workers sets REDIS_URL.
# The cache is an optimisation, never a dependency (public/cache_backend.py): every call to
# Redis gives up after DJANGO_CACHE_TIMEOUT_MS (connect and read), and after an error the
# cache is left alone for DJANGO_CACHE_RETRY_SECONDS, during which pages render uncached.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    config_error(
        f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}; "
        "e.g. redis://127.0.0.1:6379/0."
    )
CACHE_TIMEOUT_MS = env_int("DJANGO_CACHE_TIMEOUT_MS", 200, minimum=1)
CACHE_RETRY_SECONDS = env_int("DJANGO_CACHE_RETRY_SECONDS", 5, minimum=1)
CACHES = {
    "default": {
        "BACKEND": "public.cache_backend.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "socket_connect_timeout": CACHE_TIMEOUT_MS / 1000,
            "socket_timeout": CACHE_TIMEOUT_MS / 1000,
            "CIRCUIT_SECONDS": CACHE_RETRY_SECONDS,
        },
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
# Anonymous public pages are cached (public/cache.py) unless DJANGO_PUBLIC_CACHE=0, for at most
# DJANGO_PUBLIC_CACHE_SECONDS; a change to what the public sees makes every cached page stale.
PUBLIC_CACHE = env_bool("DJANGO_PUBLIC_CACHE", True)
PUBLIC_CACHE_SECONDS = env_int("DJANGO_PUBLIC_CACHE_SECONDS", 600, minimum=1)

# The public API (api/): read-only, anonymous, JSON, cursor pages, limited per address. Throttling
# counts in the cache and lets a request through when the cache fails (api/throttling.py);
# answers served by the page cache are not counted (they cost no rendering).
API_PAGE_SIZE = env_int("OBSERVATORY_API_PAGE_SIZE", 50, minimum=1)
API_RATE = env_str("OBSERVATORY_API_RATE", "120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ResilientAnonRateThrottle"],
    # Behind the proxy, the reader is the last address it added to X-Forwarded-For.
    "NUM_PROXIES": 1 if BEHIND_PROXY else 0,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{env_str('OBSERVATORY_NAME', 'Observatory')} public API",
    "DESCRIPTION": (
        "The published record, read-only: cases, their timelines (alerts), appeals with their "
        "requested actions and addressees, recommendations with their updates, defenders' "
        "public profiles, public sources, countries and violation types. Lists are cursor-"
        "paginated (follow `next`); every answer carries an ETag and Last-Modified, and a "
        "conditional request gets a 304."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_errors",
    ],
    # One name per choice set, whichever field uses it.
    "ENUM_NAME_OVERRIDES": {
        "AlertKindEnum": "cases.models.cases.AlertKind",
        "AppealKindEnum": "cases.models.appeals.AppealKind",
        "DefenderKindEnum": "cases.models.defenders.DefenderKind",
        "AliasKindEnum": "cases.models.defenders.AliasKind",
        "SourceKindEnum": "cases.models.sources.SourceKind",
        "OrganisationKindEnum": "cases.models.vocabularies.OrganisationKind",
        "AuthorityKindEnum": "cases.models.vocabularies.AuthorityKind",
        "CaseStatusEnum": "cases.models.cases.CaseStatus",
        "RecommendationStatusEnum": "cases.models.recommendations.RecommendationStatus",
        "CountryEnum": "api.schema.country_choices",
        # The site's languages, whichever field holds one (an appeal's, a record's original).
        "LanguageEnum": "api.schema.language_choices",
    },
}
# Partners' pages may read the API from the browser: any origin, GET only, no cookies.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["etag", "last-modified", "retry-after"]
CORS_PREFLIGHT_MAX_AGE = 86400

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_check_warnings_in_outages": {"()": "ops.log_filters.DatabaseFaultsOnly"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
    # An outage is logged once (ops/faults.py), not once per constraint a form checks.
    "loggers": {"django.db.models": {"filters": ["no_check_warnings_in_outages"]}},
}

# The observatory running this instance.
OBSERVATORY_NAME = env_str("OBSERVATORY_NAME", "Observatory")
# The name staff see for this site in their authenticator app.
OTP_TOTP_ISSUER = OBSERVATORY_NAME
# The prefix of the reference codes this observatory assigns: KAZ 001 / 0720 / OBS 086.
OBSERVATORY_REFERENCE_PREFIX = env_str("OBSERVATORY_REFERENCE_PREFIX", "OBS")
# A pending or committed recommendation with no update for this many days is overdue.
RECOMMENDATION_OVERDUE_DAYS = env_int("RECOMMENDATION_OVERDUE_DAYS", 90, minimum=1)
