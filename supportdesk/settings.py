"""Settings, read once from the environment. Every variable is documented in
docs/configuration.md."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url

from supportdesk.lib.env import env_bool, env_float, env_int, env_list, env_str

DATA_DIR = Path(env_str("SUPPORTDESK_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY, or one generated into the data folder on first run so that
    sessions survive a restart without anyone having to invent a key."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Live updates: how often an open stream's process looks for changes (seconds). On
# PostgreSQL a NOTIFY wakes it at once, so the poll is only a fallback there.
LIVE_POLL_SECONDS = float(env_str("LIVE_POLL_SECONDS", "0.5"))
# Password reset links are mailed and stay in the outgoing-mail log while valid: 2 hours.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 2 * 3600)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "supportdesk.accounts",
    "supportdesk.tickets",
    "supportdesk.search",
    "supportdesk.notify",
    "supportdesk.queues",
    "supportdesk.web",
    "supportdesk.agent",
    "supportdesk.adminui",
    "supportdesk.portal",
    "supportdesk.live",
    "supportdesk.sla",
    "supportdesk.webhooks",
    "supportdesk.mail",
    "supportdesk.automation",
    "supportdesk.kb",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supportdesk.lib.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "supportdesk.lib.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "supportdesk.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "supportdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'supportdesk.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE transactions take the write
    # lock up front, so two writers queue on busy_timeout instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if env_bool("SQLITE_NO_PERSIST", False) else 600
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["supportdesk.accounts.backends.EmailBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves the apps' files through its finders; it only needs the folder to be.
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# Uploads: one attachment at most this many bytes; Django keeps bigger bodies on disk.
MAX_ATTACHMENT_BYTES = env_int("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# Processes that recompute every open ticket's SLA clocks after a calendar or policy
# change; 0: one per core (up to 4) from 20,000 open tickets, else one.
SLA_RECOMPUTE_PROCESSES = env_int("SLA_RECOMPUTE_PROCESSES", 0)
# Larger incoming messages are quarantined (kept raw, listed for admins), not ingested.
MAIL_MAX_BYTES = env_int("MAIL_MAX_BYTES", 40 * 1024 * 1024)
# The upstream spam filter's verdict: mail whose score header is at or over the threshold
# (or that has X-Spam-Flag: YES) goes to the suspended list, not the queues.
MAIL_SPAM_SCORE_HEADER = env_str("MAIL_SPAM_SCORE_HEADER", "X-Spam-Score")
MAIL_SPAM_THRESHOLD = env_float("MAIL_SPAM_THRESHOLD", 5.0)
# Automatic mails (acknowledgements, rules) to one address per hour, against mail loops.
MAIL_AUTO_REPLY_LIMIT = env_int("MAIL_AUTO_REPLY_LIMIT", 5)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 30 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Solved tickets close after this many days (a periodic job).
AUTO_CLOSE_SOLVED_DAYS = env_int("AUTO_CLOSE_SOLVED_DAYS", 4)
# sla_state is "warning" (and sla.warning is raised) this long before a due time.
SLA_WARNING_MINUTES = env_int("SLA_WARNING_MINUTES", 60)
# The knowledge base's default language (the help center falls back to it) and how long
# a new article stays current before it is listed for review by its owner.
KB_DEFAULT_LANGUAGE = env_str("KB_DEFAULT_LANGUAGE", "en")
KB_REVIEW_DAYS = env_int("KB_REVIEW_DAYS", 180)
# Rules that cause events that run rules: a chain stops this deep, and says so.
AUTOMATION_MAX_DEPTH = env_int("AUTOMATION_MAX_DEPTH", 5)

# Outgoing mail.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@localhost")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Jobs: an SQLite queue in the data folder unless Redis or another URL is given.
_huey_url = env_str("HUEY_URL") or env_str("REDIS_URL")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if _huey_url.startswith(("redis://", "rediss://")):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "supportdesk",
        "url": _huey_url,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    _huey_path = urlparse(_huey_url).path if _huey_url.startswith("sqlite") else ""
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "supportdesk",
        "filename": _huey_path or str(DATA_DIR / "jobs.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache"
        if env_bool("SHARED_CACHE", False)
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "supportdesk_cache",
    }
}

# Failed API token attempts per client address before a 429.
API_AUTH_FAILURES_PER_MINUTE = env_int("API_AUTH_FAILURES_PER_MINUTE", 20)
# Failed logins per client address before the login form refuses for the minute.
LOGIN_FAILURES_PER_MINUTE = env_int("LOGIN_FAILURES_PER_MINUTE", 10)
# How many reverse proxies append to X-Forwarded-For; 0 trusts none (the client address
# is the peer's). Behind one nginx, 1: otherwise every client shares one rate limit.
NINJA_NUM_PROXIES = env_int("NUM_PROXIES", 0) or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx logs every request's URL at INFO, and webhook URLs may carry a token.
    "loggers": {"huey": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
