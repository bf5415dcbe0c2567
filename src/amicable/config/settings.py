"""One env-driven settings file (healthchecks style): no per-environment packages.

Environment variables:
- ``SECRET_KEY``: required unless ``DEBUG`` is on or the app answers only local host names
  (the demo, the tests): the built-in development key is public, and the SSN encryption key
  is derived from ``SECRET_KEY`` when ``AMICABLE_ENCRYPTION_KEY`` is unset.
- ``DEBUG``: "1" to turn on debug pages (off by default).
- ``DATABASE_URL``: PostgreSQL (or any dj-database-url URL); SQLite under the data dir when unset.
- ``AMICABLE_DATA_DIR``: where the SQLite file, uploads and reports live (default ``./var``).
- ``AMICABLE_ENCRYPTION_KEY``: key for encrypted fields (SSN); derived from SECRET_KEY when unset.
- ``ALLOWED_HOSTS``: comma-separated host names (default: localhost names).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("AMICABLE_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = os.environ.get("DEBUG", "") == "1"
_DEV_SECRET = "amicable-development-only-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
ENCRYPTION_KEY = os.environ.get("AMICABLE_ENCRYPTION_KEY", "")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "::1", "[::1]"}
if SECRET_KEY == _DEV_SECRET and not DEBUG and not set(ALLOWED_HOSTS) <= _LOCAL_HOSTS:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: serving "
        f"{', '.join(h for h in ALLOWED_HOSTS if h not in _LOCAL_HOSTS)} with the built-in "
        "development key would sign sessions and encrypt SSNs with a key anyone can read. "
        "Set SECRET_KEY (and AMICABLE_ENCRYPTION_KEY) in the environment."
    )
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "amicable.identity",
    "amicable.portfolio",
    "amicable.compliance",
    "amicable.payments",
    "amicable.communications",
    "amicable.negotiation",
    "amicable.dialer",
    "amicable.strategy",
    "amicable.desk",
    "amicable.supervisor",
    "amicable.backoffice",
    "amicable.http_api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "amicable.config.urls"
ASGI_APPLICATION = "amicable.config.asgi.application"

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
                "amicable.identity.context_processors.roles",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            # Django accepts a Path here (its project template uses one); the stubs say str.
            "NAME": DATA_DIR / "amicable.sqlite3",  # type: ignore[typeddict-item]
            # WAL lets the web server, the task worker and the dialer read while one writes.
            # 8 KiB pages (set before the database file is first written; SQLite keeps the
            # size of an existing file): a million-row import ran about 3 s faster than with
            # the default 4 KiB (shallower b-trees, fewer pages written per commit); 16 KiB
            # was slower again. See decision 0002.
            "OPTIONS": {
                "init_command": (
                    "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                    " PRAGMA busy_timeout=10000; PRAGMA cache_size=-131072;"
                    " PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and SECRET_KEY != _DEV_SECRET:
    SESSION_COOKIE_SECURE = os.environ.get("INSECURE_COOKIES", "") != "1"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "files"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("AMICABLE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals": {"()": "amicable.config.log_filters.NoTracebackForRefusals"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusals"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Back-office and desk behaviour.
AMICABLE_AGENCY_NAME = os.environ.get("AMICABLE_AGENCY_NAME", "Amicable Recovery Services")
AMICABLE_CALLBACK_NUMBER = os.environ.get("AMICABLE_CALLBACK_NUMBER", "(800) 555-0199")
#: Identity checks (date of birth, SSN last 4, ZIP, street) that prove a right-party contact.
AMICABLE_RPC_CHECKS = int(os.environ.get("AMICABLE_RPC_CHECKS", "2"))
AMICABLE_IMPORT_BATCH_SIZE = int(os.environ.get("AMICABLE_IMPORT_BATCH_SIZE", "5000"))
