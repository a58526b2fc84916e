"""CounterHub settings: every deployment knob is an environment variable, read here.

The README's settings table lists each one. A value that cannot be understood stops
start-up with a message rather than being guessed.
"""

import ipaddress
import os
import secrets
import zoneinfo
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from counterhub import database

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: str) -> list[str]:
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


def _time_zone(name: str) -> str:
    value = os.environ.get(name) or "UTC"
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone name such as Europe/Berlin, not {value!r}."
        ) from None
    return value


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(name: str, default: str) -> str:
    # logging itself takes only upper case, and fails with no word of which variable.
    given = os.environ.get(name) or default
    if given.strip().upper() not in _LOG_LEVELS:
        raise ImproperlyConfigured(
            f"{name} must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL, not {given!r}."
        )
    return given.strip().upper()


def _secret_key(data_dir: Path) -> str:
    """SECRET_KEY, or a key generated once and kept in the data folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when several workers start at once, one writes and the others read.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


DATA_DIR = database.data_dir()
SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "counters",
]

MIDDLEWARE = [
    # First, so that every response (redirects and errors too) has a request id and a log line.
    "counterhub.logs.RequestLogMiddleware",
    # Second, so that redirects and every error are counted and timed too.
    "counterhub.metrics.MetricsMiddleware",
    # Before anything can use the database: a connection a restart broke is replaced.
    "counterhub.outage.OutageMiddleware",
    # A redirect to HTTPS of a POST is a 308, so that it stays a POST (counterhub/security.py).
    "counterhub.security.MethodKeepingRedirectMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Inside the security headers' middleware, outside whitenoise's and the views' answers:
    # a bodiless error (a 405) gets its path family's form (counterhub/errors.py).
    "counterhub.errors.ErrorPageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# A failed CSRF check is answered like every other error of its path (counterhub/errors.py).
CSRF_FAILURE_VIEW = "counterhub.errors.csrf_failure"

# The counting API's chain (/count/... and /healthz, counterhub/handlers.py): the entries
# of MIDDLEWARE its JSON answers need, in the same order (or a cheaper subclass of one).
# Left out: whitenoise (static files only), sessions, CSRF, authentication and messages
# (the API uses none: its views authenticate no one). A middleware added to MIDDLEWARE
# reaches the API only when listed here too.
API_MIDDLEWARE = [
    # Request id and the access line, for every answer.
    "counterhub.logs.RequestLogMiddleware",
    # Requests by route and status, and their latency (README: "Metrics").
    "counterhub.metrics.MetricsMiddleware",
    # A connection a database restart broke is replaced before the request uses it.
    "counterhub.outage.OutageMiddleware",
    # A redirect to HTTPS of a POST is a 308, so that the count is not lost as a GET.
    "counterhub.security.MethodKeepingRedirectMiddleware",
    # HTTPS redirect, HSTS, nosniff, Referrer-Policy, COOP, as on every answer.
    "django.middleware.security.SecurityMiddleware",
    # Django's ContentSecurityPolicyMiddleware, the same header, built once (an API
    # answer never carries a nonce).
    "counterhub.handlers.PrecomputedCSPMiddleware",
    # A bodiless error (a 405 from a view) gets the API's JSON form.
    "counterhub.errors.ErrorPageMiddleware",
    # Access-Control-* for browsers calling the API from other sites.
    "corsheaders.middleware.CorsMiddleware",
    # Content-Length, and DISALLOWED_USER_AGENTS.
    "django.middleware.common.CommonMiddleware",
    # X-Frame-Options: DENY, as on every answer.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "counterhub.urls"
WSGI_APPLICATION = "counterhub.wsgi.application"

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
                # {{ csp_nonce }}: the one way a page may carry an inline <style>.
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Persistent connections without health checks: a health check costs a round trip on
# every request, and the hot path is allowed exactly one. A connection the server closed
# (a database restart) is replaced before the next request by a look at its socket
# (counterhub/outage.py); one that broke silently fails one request with 503.
CONN_MAX_AGE = envint("DB_CONN_MAX_AGE", 600)
if os.environ.get("DATABASE_URL"):
    DATABASES: dict[str, Any] = {
        "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=CONN_MAX_AGE)
    }
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgresql://...).")
else:
    DATABASES = {
        "default": database.embedded_settings(DATA_DIR / "postgres")
        | {"CONN_MAX_AGE": CONN_MAX_AGE}
    }

# Parameters sent apart from the query (server-side binding) rather than quoted into it by
# psycopg, and a statement run five times on a connection prepared once (psycopg's
# prepare_threshold): the counting POST's one call costs about 40 µs less CPU, client and
# server together (docs/performance.md, tuning log). Behind a pooler in transaction mode
# (PgBouncer), prepared statements need its prepared-statement support.
DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Day buckets are days in this zone; the admin shows times in it too.
COUNTERHUB_TIME_ZONE = _time_zone("COUNTERHUB_TIME_ZONE")
TIME_ZONE = COUNTERHUB_TIME_ZONE
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# HTTPS and proxies. COUNTERHUB_HTTPS says the public address is https://, so cookies
# are marked secure and plain HTTP is redirected; COUNTERHUB_BEHIND_PROXY trusts the
# reverse proxy's X-Forwarded-Proto to tell which scheme the client used.
COUNTERHUB_HTTPS = envbool("COUNTERHUB_HTTPS", False)
# Behind a proxy, its X-Forwarded-For (the rightmost entry, the one it added) is the
# client's address and its X-Request-ID is kept; without one, both headers are forged
# by whoever sends them, so REMOTE_ADDR and a generated id are used instead.
COUNTERHUB_BEHIND_PROXY = envbool("COUNTERHUB_BEHIND_PROXY", False)
if COUNTERHUB_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", COUNTERHUB_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = COUNTERHUB_HTTPS
CSRF_COOKIE_SECURE = COUNTERHUB_HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if COUNTERHUB_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response: scripts only from this site's own files,
# never inline, so markup smuggled into a page (a counter's description, say) cannot run.
# Inline styles need the request's nonce; images may be data: URLs (admin and API docs).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Cross-origin use of /count/...: any origin unless a list is given; never credentials.
CORS_URLS_REGEX = r"^/count/.*$"
CORS_ALLOWED_ORIGINS = envlist("COUNTERHUB_CORS_ORIGINS", "")
CORS_ALLOW_ALL_ORIGINS = not CORS_ALLOWED_ORIGINS
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]

# Abuse: POST /count/... per client address (IPv6: per /64) in any minute, a token
# bucket (migration 0008) with no window boundary; 0 turns the limit off. Generous by
# default, so a CI fleet behind one NAT address is not refused.
COUNTERHUB_RATE_LIMIT = envint("COUNTERHUB_RATE_LIMIT", 600)
COUNTERHUB_RATE_LIMIT_WINDOW = 60
# Admin login attempts (right or wrong) per client address in any 15 minutes; 0: no limit.
COUNTERHUB_LOGIN_RATE_LIMIT = envint("COUNTERHUB_LOGIN_RATE_LIMIT", 10)
COUNTERHUB_LOGIN_RATE_LIMIT_WINDOW = 15 * 60

REST_FRAMEWORK = {
    # The counting API is public: no authentication, no session, so no CSRF either.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Request bodies are ignored, so none is ever parsed.
    "DEFAULT_PARSER_CLASSES": [],
    # JSON whatever the client asks; the series (JSON or CSV) and the OpenAPI schema (YAML
    # or JSON) negotiate.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "counters.api.negotiation.JSONOnly",
    # counters.db's failures (not found, disabled, rate limited, database away) answered
    # once for every view.
    "EXCEPTION_HANDLER": "counters.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CounterHub API",
    "DESCRIPTION": "Count how often things are used: one row per counter per day.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# The dashboard (/ and /counters/<name>/) is for staff, who log in through the admin;
# true makes it readable by anyone. The counting API is public either way.
COUNTERHUB_PUBLIC_DASHBOARD = envbool("COUNTERHUB_PUBLIC_DASHBOARD", False)

# Django's loggers for suspicious requests (django.core.exceptions' SuspiciousOperation
# and its subclasses), each answered with a 400.
SUSPICIOUS_REQUEST_LOGGERS = [
    f"django.security.{kind}"
    for kind in (
        "DisallowedHost",
        "DisallowedRedirect",
        "RequestDataTooBig",
        "SuspiciousFileOperation",
        "SuspiciousMultipartForm",
        "SuspiciousOperation",
        "SuspiciousSession",
        "TooManyFieldsSent",
        "TooManyFilesSent",
    )
]

# JSON lines on stderr: counterhub.access writes one per request (gunicorn's access
# log is off), and every record carries the id of the request it belongs to.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "counterhub.logs.RequestIdFilter"},
        "suspicious_request": {"()": "counterhub.logs.SuspiciousRequestFilter"},
    },
    "formatters": {"json": {"()": "counterhub.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": _log_level("LOG_LEVEL", "INFO")},
    "loggers": {
        # pgserver narrates every start and exit at INFO.
        "pgserver": {"level": "WARNING"},
        # Django logs a warning for every 4xx ("Not Found: /count/x"); those are
        # answers, not faults, and the access line already records them.
        "django.request": {"level": "ERROR"},
    }
    # A Host not in ALLOWED_HOSTS (a scanner, a misdirected request) and the other
    # requests Django finds suspicious are the client's mistake: a WARNING, without the
    # text the client chose.
    | {name: {"filters": ["suspicious_request"]} for name in SUSPICIOUS_REQUEST_LOGGERS},
}

# Seconds a badge may be cached by GitHub's image proxy and browsers. 0 (the default)
# sends no-cache, so every view revalidates (a cheap 304 through the ETag) and the
# figure is always fresh.
COUNTERHUB_BADGE_MAX_AGE = envint("COUNTERHUB_BADGE_MAX_AGE", 0)

# /metrics (Prometheus) is closed unless one of these is set: a Bearer token, and/or the
# client addresses or networks that may scrape it. When both are set, both must be met.
COUNTERHUB_METRICS_TOKEN = os.environ.get("COUNTERHUB_METRICS_TOKEN", "")
COUNTERHUB_METRICS_ALLOW = envlist("COUNTERHUB_METRICS_ALLOW", "")
for _network in COUNTERHUB_METRICS_ALLOW:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            "COUNTERHUB_METRICS_ALLOW must be IP addresses or networks such as "
            f"127.0.0.1,10.0.0.0/8, not {_network!r}."
        ) from None
