"""Django settings for worksafe.

Everything a deployment changes comes from the environment:
DATABASE_URL (default: SQLite under var/), WORKSAFE_SECRET_KEY, WORKSAFE_DEBUG,
WORKSAFE_ALLOWED_HOSTS, WORKSAFE_VAR (data folder), EMAIL_URL-like settings below.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("WORKSAFE_VAR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("WORKSAFE_SECRET_KEY"):
        return os.environ["WORKSAFE_SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("WORKSAFE_DEBUG", "") in ("1", "true", "yes")
ALLOWED_HOSTS = [h for h in os.environ.get("WORKSAFE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if os.environ.get("PYTEST_VERSION"):
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("WORKSAFE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "worksafe.core",
    "worksafe.org",
    "worksafe.plans",
    "worksafe.enterprises",
    "worksafe.risks",
    "worksafe.hazards",
    "worksafe.monitoring",
    "worksafe.inspections",
    "worksafe.accidents",
    "worksafe.credit",
    "worksafe.tipoffs",
    "worksafe.training",
    "worksafe.reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "worksafe.core.api.JsonErrorMiddleware",
    "worksafe.core.security.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "worksafe.core.security.SessionPolicyMiddleware",
    "worksafe.core.security.OTPRequiredMiddleware",
    "worksafe.core.security.PasswordPolicyMiddleware",
    "worksafe.core.security.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "worksafe.urls"
WSGI_APPLICATION = "worksafe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "worksafe.core.context_processors.worksafe",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'worksafe.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while the tick or an import writes; IMMEDIATE avoids
    # "database is locked" upgrades inside transactions. A checkpoint every 10,000 pages (40 MB of
    # WAL) rather than 1,000: a batch of readings for many sensors dirties an index page per
    # sensor, and checkpointing after nearly every such batch halved ingestion (bench ingest).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
                        "PRAGMA wal_autocheckpoint=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # no JIT compiling: it is for long analytic queries; on this system's page queries (a scoped
    # count over 500,000 hazards) it added about 0.6 s of compiling to a 0.3 s query (docs/scale.md)
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in options.get("options", ""):
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# ---------------------------------------------------------------- login security (docs/security.md)
# GB/T 22239-2019 §8.1.4.1: complexity and periodic change, login-failure handling, session
# timeout, two factors for administrators. The numbers are settings (a vendor's mapping, not the
# standard's text).
WORKSAFE_PASSWORD_MIN_LENGTH = int(os.environ.get("WORKSAFE_PASSWORD_MIN_LENGTH", "8"))
WORKSAFE_PASSWORD_MIN_CLASSES = int(os.environ.get("WORKSAFE_PASSWORD_MIN_CLASSES", "3"))
WORKSAFE_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("WORKSAFE_PASSWORD_MAX_AGE_DAYS", "90"))  # 0: never expires
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": WORKSAFE_PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "worksafe.org.validators.CharacterClassesValidator",
     "OPTIONS": {"min_classes": WORKSAFE_PASSWORD_MIN_CLASSES}},
]
# Sessions: an idle session ends after WORKSAFE_SESSION_IDLE_MINUTES, any session after
# WORKSAFE_SESSION_MAX_HOURS (core.security.SessionPolicyMiddleware); the cookie dies with it.
WORKSAFE_SESSION_IDLE_MINUTES = int(os.environ.get("WORKSAFE_SESSION_IDLE_MINUTES", "30"))
WORKSAFE_SESSION_MAX_HOURS = int(os.environ.get("WORKSAFE_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = WORKSAFE_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
# Two factors (TOTP, django-otp): required for these roles (and superusers); anyone may set it up and
# is then asked for it. Off (WORKSAFE_OTP_REQUIRED=0) only for development: then nobody is asked.
WORKSAFE_OTP_REQUIRED = os.environ.get("WORKSAFE_OTP_REQUIRED", "1") in ("1", "true", "yes")
WORKSAFE_OTP_REQUIRED_ROLES = ("county_office", "sysadmin", "security", "auditor")
OTP_TOTP_ISSUER = os.environ.get("WORKSAFE_OTP_ISSUER", "安全生产专项整治监管系统")
# The audit table refuses UPDATE/DELETE in the database (core.audit.install_guard); the test suite
# empties tables between transactional tests, so it installs the guard only where it checks it.
WORKSAFE_AUDIT_DB_GUARD = not os.environ.get("PYTEST_VERSION")
# Behind nginx on the same host, the client address comes from X-Forwarded-For (audit records).
WORKSAFE_TRUSTED_PROXY = os.environ.get("WORKSAFE_TRUSTED_PROXY", "") in ("1", "true", "yes")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: after repeated failed logins, lock that account *from that address*: nobody can lock
# the county office out by typing its name from elsewhere, and one township office behind NAT is
# not locked out together (only the account being guessed is).
AXES_FAILURE_LIMIT = int(os.environ.get("WORKSAFE_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("WORKSAFE_AXES_COOLOFF_HOURS", "0.5"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# Uploaded attachments: size and type limits (progress reports and later apps).
WORKSAFE_ATTACHMENT_MAX_BYTES = int(os.environ.get("WORKSAFE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# 一公开: a finished random inspection is published this many working days after it is closed (docs/inspections.md)
WORKSAFE_INSPECTION_PUBLISH_DAYS = int(os.environ.get("WORKSAFE_INSPECTION_PUBLISH_DAYS", "20"))
# 考核合格证: flagged (and notified once) this many days before it expires (docs/training.md)
WORKSAFE_CERTIFICATE_WARN_DAYS = int(os.environ.get("WORKSAFE_CERTIFICATE_WARN_DAYS", "90"))
WORKSAFE_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".txt": "text/plain",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# the whole body of one request (several attachments at once): larger is refused before it is read
WORKSAFE_REQUEST_MAX_BYTES = int(os.environ.get("WORKSAFE_REQUEST_MAX_BYTES", str(50 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "worksafe.core.security.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email: the console backend in the demo; set WORKSAFE_EMAIL_HOST for SMTP.
if os.environ.get("WORKSAFE_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["WORKSAFE_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("WORKSAFE_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("WORKSAFE_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("WORKSAFE_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("WORKSAFE_EMAIL_TLS", "") in ("1", "true")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("WORKSAFE_FROM_EMAIL", "worksafe@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "worksafe.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "worksafe.core.schema.WorksafeAutoSchema",
    "EXCEPTION_HANDLER": "worksafe.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "worksafe API",
    "DESCRIPTION": "安全生产专项整治三年行动 监管系统 API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "worksafe.plans.models.Task.Status",
        "EnterpriseStatusEnum": "worksafe.enterprises.models.Enterprise.Status",
    },
}

# The map's base layer: a tile URL template (e.g. an intranet 天地图 mirror). Empty: no tiles,
# township seats and names on a plain background, so an offline intranet shows no broken images.
WORKSAFE_MAP_TILE_URL = os.environ.get("WORKSAFE_MAP_TILE_URL", "")
WORKSAFE_MAP_TILE_ATTRIBUTION = os.environ.get("WORKSAFE_MAP_TILE_ATTRIBUTION", "")
# the offline base map, one PMTiles file (docs/map.md); empty: var/basemap/county.pmtiles, else the demo's
WORKSAFE_BASEMAP_FILE = os.environ.get("WORKSAFE_BASEMAP_FILE", "")

# worksafe tick: how often `worksafe serve` runs it in the demo (seconds).
WORKSAFE_TICK_SECONDS = int(os.environ.get("WORKSAFE_TICK_SECONDS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WORKSAFE_LOG_LEVEL", "WARNING")},
}

# Lockout is per account (username), as the county asks: locking by IP would lock a whole
# township office behind one NAT address out of the system.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Online monitoring (monitoring app). Raw readings are kept RETENTION days, per-minute aggregates
# AGGREGATE_RETENTION days (`worksafe prune-readings`); readings older than MAX_AGE days or more
# than MAX_FUTURE seconds ahead of the server clock are refused (MAX_AGE must stay below RETENTION,
# so nothing is accepted that pruning has already rolled up).
WORKSAFE_READING_RETENTION_DAYS = int(os.environ.get("WORKSAFE_READING_RETENTION_DAYS", "90"))
WORKSAFE_AGGREGATE_RETENTION_DAYS = int(os.environ.get("WORKSAFE_AGGREGATE_RETENTION_DAYS", "1825"))
WORKSAFE_READING_MAX_AGE_DAYS = int(os.environ.get("WORKSAFE_READING_MAX_AGE_DAYS", "7"))
# a reading whose magnitude is beyond this is refused (no sensor quantity comes near it)
WORKSAFE_READING_MAX_ABS = float(os.environ.get("WORKSAFE_READING_MAX_ABS", "1e12"))
WORKSAFE_READING_MAX_FUTURE_SECONDS = int(os.environ.get("WORKSAFE_READING_MAX_FUTURE_SECONDS", "300"))
WORKSAFE_INGEST_MAX_BATCH = int(os.environ.get("WORKSAFE_INGEST_MAX_BATCH", "10000"))
# An alarm nobody acknowledges is notified to the enterprise at once, to its supervising department
# and township after ACK_MINUTES, to the county office after twice that.
WORKSAFE_ALARM_ACK_MINUTES = int(os.environ.get("WORKSAFE_ALARM_ACK_MINUTES", "15"))
# A sensor is offline after GRACE x its interval without a reading; the offline alarm's level (2 = yellow).
WORKSAFE_OFFLINE_GRACE = float(os.environ.get("WORKSAFE_OFFLINE_GRACE", "2"))
WORKSAFE_OFFLINE_ALARM_LEVEL = int(os.environ.get("WORKSAFE_OFFLINE_ALARM_LEVEL", "2"))
# MQTT ingestion (`worksafe ingest-mqtt`): broker URL mqtt://host:port or mqtts://host:port (TLS),
# credentials, CA file for TLS, topic prefix and the shared-subscription group.
WORKSAFE_MQTT_URL = os.environ.get("WORKSAFE_MQTT_URL", "mqtt://127.0.0.1:1883")
WORKSAFE_MQTT_USERNAME = os.environ.get("WORKSAFE_MQTT_USERNAME", "")
WORKSAFE_MQTT_PASSWORD = os.environ.get("WORKSAFE_MQTT_PASSWORD", "")
WORKSAFE_MQTT_CA_FILE = os.environ.get("WORKSAFE_MQTT_CA_FILE", "")
WORKSAFE_MQTT_TOPIC_PREFIX = os.environ.get("WORKSAFE_MQTT_TOPIC_PREFIX", "worksafe")
WORKSAFE_MQTT_GROUP = os.environ.get("WORKSAFE_MQTT_GROUP", "worksafe")
WORKSAFE_MQTT_CLIENT_ID = os.environ.get("WORKSAFE_MQTT_CLIENT_ID", "")
# the broker's passwd/acl directory: rewritten when a gateway is registered or its token rotated
# (monitoring/broker.py); empty = by hand with `worksafe mqtt-passwd`
WORKSAFE_MQTT_AUTH_DIR = os.environ.get("WORKSAFE_MQTT_AUTH_DIR", "")
# a broker run by the same user (the demo's): sent SIGHUP after the files are rewritten
WORKSAFE_MQTT_BROKER_PIDFILE = os.environ.get("WORKSAFE_MQTT_BROKER_PIDFILE", "")

# === Deployment (deploy/, docs/deploy.md) =========================================================
# Kept in one block (other settings blocks change independently). WORKSAFE_ENV=production (with
# WORKSAFE_DEBUG off) is the server behind nginx (deploy/nginx/worksafe.conf): HTTPS only, Secure
# cookies, HSTS, the proxy's X-Forwarded-Proto trusted; `worksafe check --deploy` passes with it.
# The Content-Security-Policy (django-csp) applies everywhere, the demo and tests too, so a page
# that breaks under it shows at once: scripts from this site only; inline scripts and handlers by
# hash (worksafe.core.csp, computed from the templates) or by nonce; styles may be inline (style
# attributes carry the level colours); no eval.
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

from csp.constants import NONCE as _CSP_NONCE  # noqa: E402

from worksafe.core import csp as _csp  # noqa: E402  (pure Python: scans the templates)

WORKSAFE_ENV = os.environ.get("WORKSAFE_ENV", "development")
WORKSAFE_PRODUCTION = WORKSAFE_ENV == "production" and not DEBUG
if WORKSAFE_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # nginx sets it; gunicorn listens on loopback
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("WORKSAFE_HSTS_SECONDS", str(365 * 86400)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("WORKSAFE_HSTS_INCLUDE_SUBDOMAINS", "1") in ("1", "true", "yes")
    SECURE_HSTS_PRELOAD = os.environ.get("WORKSAFE_HSTS_PRELOAD", "1") in ("1", "true", "yes")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    USE_X_FORWARDED_HOST = False
    # nginx overwrites X-Forwarded-For with the client's address (deploy/nginx/worksafe.conf), so it
    # is the client for the audit log and for django-axes' lockout by account and address
    if "WORKSAFE_TRUSTED_PROXY" not in os.environ:
        WORKSAFE_TRUSTED_PROXY = True
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# `check --deploy` is about these settings; drf-spectacular would also generate the API schema in it
# and report its naming warnings (6 today, none about security): those belong to the API docs
SPECTACULAR_SETTINGS["ENABLE_DJANGO_DEPLOY_CHECK"] = False

INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
_inline = _csp.scan()
_img = ["'self'", "data:", "blob:"]
if WORKSAFE_MAP_TILE_URL:  # the base map's tile server (an intranet mirror), {s} sub-domains as *
    _tiles = _urlsplit(WORKSAFE_MAP_TILE_URL.replace("{s}", "*"))
    if _tiles.scheme and _tiles.netloc:
        _img.append(f"{_tiles.scheme}://{_tiles.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", _CSP_NONCE,
                       *sorted(_inline.scripts), *(["'unsafe-hashes'", *sorted(_inline.handlers)] if _inline.handlers else [])],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": _img,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
