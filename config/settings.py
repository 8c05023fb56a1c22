"""Machimori settings. Everything a deployment changes comes from the environment.

See README.md ("Production settings") for the list; nothing secret lives in the repository.
This is one long file on purpose: one place lists every setting, as Django expects.
"""

import datetime
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from config import env
from config.env import envbool, envfloat, envint, envjson, envlist, envrate, envstr, envurl

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("MACHIMORI_VAR_DIR", str(BASE_DIR / "var")))


def _local_secret_key() -> str:
    """A per-machine key kept under var/, for the demo and development only.

    Production sets SECRET_KEY: several app servers must share one key.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = envstr("SECRET_KEY") or _local_secret_key()
DEBUG = envbool("DEBUG", False)

PUBLIC_BASE_URL = envurl("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_BASE_URL)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", f"127.0.0.1,localhost,{_public.hostname}")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", f"{_public.scheme}://{_public.netloc}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "csp",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "config.apps.ProjectConfig",
    "accounts",
    "assets",
    "qr_labels",
    "reports",
    "inspections",
    "planning",
    "api",
    "web_admin",
    "field",
    "channels",
    "demo",
]

MIDDLEWARE = [
    # First: every later line of the request logs its id, and every answer is counted.
    "config.observability.RequestIdMiddleware",
    "config.observability.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Public reads (open data, Open311 GETs, the asset bbox, OGC API) on the replica.
    "config.replica.ReplicaReadMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages leave gzipped (a form page shrinks to a quarter: a weak phone connection feels it);
    # whitenoise above serves static files compressed already. Below it so static files skip
    # it; above everything that writes the body. BREACH reads a secret out of compressed
    # pages over many requests: our one secret in pages is the CSRF token, which Django masks
    # afresh in every response, so no two responses carry it alike.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # request.city from the host name when several cities are served; a host that names none
    # is a 404 in the reader's language (so below the locale).
    "accounts.city_host.CityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff of one city are nobody on another city's host (a 403 naming their city on
    # /manage/); nothing at all without cities.
    "accounts.city_staff.CityStaffMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout into the door's own answer (accounts.guard.lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.city",
                "web_admin.context.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SpatiaLite file under var/ by default; PostGIS in production (DATABASE_URL=postgis://…).
_DEFAULT_DATABASE_URL = f"spatialite:///{VAR_DIR / 'machimori.sqlite3'}"
DATABASE_URL = envstr("DATABASE_URL", _DEFAULT_DATABASE_URL)
# Through pgbouncer in transaction mode (deploy/pgbouncer.ini) each transaction may get another
# server connection: psycopg must not prepare statements, `.iterator()` must not open
# server-side cursors, and pgbouncer refuses startup options (set them on the role instead:
# ALTER ROLE … SET max_parallel_workers_per_gather = 0; tools/cluster.py does).
DATABASE_POOLER = env.envchoice("DATABASE_POOLER", "", ("", "pgbouncer"))
# Optional streaming replica: public reads go there (config/replica.py), all else the primary.
DATABASE_REPLICA_URL = envstr("DATABASE_REPLICA_URL")


def _database(name: str, url: str) -> dict:
    try:
        db = dj_database_url.parse(
            url, conn_max_age=envint("CONN_MAX_AGE", 600, minimum=0), conn_health_checks=True
        )
    except (ValueError, KeyError) as error:
        # Reported by the settings check (config/checks.py), which stops every start.
        env.PROBLEMS.append((name, f"{name} cannot be used: {error}"))
        db = dj_database_url.parse(_DEFAULT_DATABASE_URL)
    # Plain postgres:// or sqlite:// URLs still need the spatial backends.
    db["ENGINE"] = {
        "django.db.backends.postgresql": "django.contrib.gis.db.backends.postgis",
        "django.db.backends.sqlite3": "django.contrib.gis.db.backends.spatialite",
    }.get(db["ENGINE"], db["ENGINE"])
    if db["ENGINE"].endswith("spatialite"):
        # WAL lets readers run beside a writer; IMMEDIATE avoids "database is locked" when a
        # read transaction turns into a write. Measured: ~5 ms saved per request.
        db.setdefault("OPTIONS", {}).update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        )
        db["TEST"] = {"NAME": envstr("TEST_DATABASE_NAME") or None}
    elif db["ENGINE"].endswith("postgis"):
        # Web requests read a few hundred rows through indexes. Starting parallel workers for
        # them costs 10-30 ms and grows with the table (bench/: a 1,000-asset bbox took 44 ms
        # at 1M rows with a worker, 2 ms without). Long reports may SET LOCAL a higher value.
        workers = envint("PG_MAX_PARALLEL_WORKERS_PER_GATHER", 0)
        options = db.setdefault("OPTIONS", {})
        if DATABASE_POOLER == "pgbouncer":
            options["prepare_threshold"] = None
            db["DISABLE_SERVER_SIDE_CURSORS"] = True
        else:
            options["options"] = f"-c max_parallel_workers_per_gather={workers}"
    return db


DATABASES = {"default": _database("DATABASE_URL", DATABASE_URL)}
if DATABASE_REPLICA_URL:
    # In tests the replica is the primary itself (Django's test mirror).
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL", DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Without a replica the router answers nothing and every query goes to "default".
DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, counters) ----------------------------------------------------------
CACHE_URL = envurl("CACHE_URL", schemes=("redis", "rediss", "unix"), path=True)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "machimori"),
        }
    }
else:
    # Per process. Room for the pages of a few thousand stickers (Django's default is 300).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": envint("LOCMEM_CACHE_ENTRIES", 5000)},
        }
    }

# --- Auth and sessions ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "manage-login"
LOGIN_REDIRECT_URL = "manage-dashboard"
LOGOUT_REDIRECT_URL = "manage-login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)  # a working day
# Sign-in throttling (failures per window in seconds): then sign-in is refused for a while.
LOGIN_FAILURES_PER_USERNAME = envrate("LOGIN_FAILURES_PER_USERNAME", "5/900")
LOGIN_FAILURES_PER_ADDRESS = envrate("LOGIN_FAILURES_PER_ADDRESS", "30/900")
PASSWORD_RESETS_PER_ADDRESS = envrate("PASSWORD_RESETS_PER_ADDRESS", "5/3600")
# …and per account asked for, whatever the address (one mailbox flooded from many).
PASSWORD_RESETS_PER_ACCOUNT = envrate("PASSWORD_RESETS_PER_ACCOUNT", "3/3600")
# Every sign-in door goes through authenticate(): axes refuses locked-out usernames and
# records every attempt; the guarded backend reserves before the password check so that
# simultaneous attempts cannot overshoot (accounts/guard.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.guard.GuardedModelBackend",
]
AXES_FAILURE_LIMIT = "accounts.guard.failure_limit"
AXES_COOLOFF_TIME = datetime.timedelta(seconds=LOGIN_FAILURES_PER_USERNAME.seconds)
# Lock out by username: the limit per client address is the reservation's, higher, because
# carriers put many phones behind one address (axes has one limit for every parameter).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.guard.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.limits.client_address"
AXES_VERBOSE = False
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 3 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
_https = _public.scheme == "https"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", _https)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", _https)
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# For deployments behind TLS. Off by default: the demo and development run on plain HTTP, and
# a browser that has seen HSTS refuses plain HTTP to that host for SECURE_HSTS_SECONDS.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# /healthz is asked by the load balancer, /healthz/<component> by monitoring and /metrics by
# Prometheus, all over plain HTTP inside the network, straight to each app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/[-\w]+$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A refused form in the resident's language (config/errors.py), not Django's English page.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("pt-br", "Português (Brasil)"),
    ("zh-hans", "简体中文"),
    ("ko", "한국어"),
    ("vi", "Tiếng Việt"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_MAX_AGE = envint("WHITENOISE_MAX_AGE", 3600, minimum=0)

S3_BUCKET = envstr("S3_BUCKET")
S3_ENDPOINT_URL = envurl("S3_ENDPOINT_URL") or None
S3_REGION = envstr("S3_REGION", "us-east-1")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL,
            "region_name": S3_REGION,
            "access_key": envstr("S3_ACCESS_KEY_ID"),
            "secret_key": envstr("S3_SECRET_ACCESS_KEY"),
            "addressing_style": envstr("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": envint("S3_URL_EXPIRES", 3600, minimum=60),
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "config.storage.StaticStorage"},
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = envstr("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "machimori@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work ------------------------------------------------------------------------
# In-process by default; TASKS_BACKEND=database runs them in `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[envstr("TASKS_BACKEND", "immediate")],
    }
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Closed by default: a view that is public says so (AllowAny).
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsCityStaff"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # One page shape for every list: links (self/next/prev), numberReturned, numberMatched.
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LinkPagination",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Machimori API",
    "DESCRIPTION": """\
Assets, reports and inspections of a city's small infrastructure.

**Assets** are GeoJSON (WGS84, lon/lat): `/api/v1/assets/` is a FeatureCollection, one asset
a Feature. **Tablets** sign in for a token (`Authorization: Token …`), download a work pack,
and sync inspections recorded offline (`POST /api/v1/inspections/sync/`; each record is
graded on its asset type's scale and answers its type's checklist). A walkthrough with curl
is in `docs/tablet-api.md` of the source.

**Lists** page with `limit` and `offset` and answer, OGC API style, with `links` (rel
`self`, `next`, `prev`), `numberReturned` and `numberMatched` (the asset list leaves the
count out). **Errors** are `{"detail": …, "code": …}`, with `errors` per field for bad input.

**Outside this schema** (described in `docs/open311.md` of the source):

- [Open311 GeoReport v2](/open311/v2/discovery.json) at `/open311/v2/`: `discovery`,
  `services`, `services/<code>`, `requests` (GET, and POST with an API key),
  `requests/<id>`, `tokens/<token>`, `servicerequestupdates`, each `.json` and `.xml`.
- [Open data](/open-data/) at `/open-data/`, under the city's open-data licence:
  `assets.geojson`, `assets.csv`, `reports.geojson`, `reports.csv`, and Japanese standard
  layouts `jp/public-toilets.csv`, `jp/parks.csv` (CSV in UTF-8 with a BOM).
- [OGC API – Features](/ogc/) at `/ogc/`, for GIS clients: assets and public reports, with
  its own definition at `/ogc/api`.
""",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "OAS_VERSION": "3.1.0",
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "config.observability.json_formatter"},
    },
    # Every record carries the id of its request (nginx's X-Request-ID), "-" outside one.
    "filters": {"request_id": {"()": "config.observability.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # text for development; json in production (one object per line, for the
            # collector).
            "formatter": env.envchoice("LOG_FORMAT", "text", ("text", "json")),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "fontTools": {"level": "WARNING"},  # its subsetter narrates every table at INFO
        "exifread": {"level": "ERROR"},  # "possibly corrupted IFD" on ordinary phone photos
        "axes": {"level": "WARNING"},  # a line per sign-in; the records are in the database
    },
}

# GDAL 3.6 on Debian 12 is older than Django 5.2 would like; it works for all we use.
SILENCED_SYSTEM_CHECKS = [
    "gis.W001",
    # "Lockout parameters do not contain ip_address": the per-address limit is enforced by
    # the sign-in reservation (accounts/guard.py) at its own, higher limit.
    "axes.W006",
]

# --- Machimori ------------------------------------------------------------------------------
CITY_NAME = envstr("CITY_NAME", "出雲市")
CITY_NAME_EN = envstr("CITY_NAME_EN", "Izumo City")
CITY_PHONE = envstr("CITY_PHONE", "0853-21-2211")
# When the phone is answered, printed on stickers beside the number.
CITY_PHONE_HOURS = envstr("CITY_PHONE_HOURS", "平日 8:30–17:15")
# Printed on stickers for those who cannot scan, followed by the code: short enough to type
# (browsers add https://). Another host (a short domain) must lead to /q/<code> here.
LABEL_SHORT_URL = envstr("LABEL_SHORT_URL", f"{_public.netloc}/q/")
# Map tiles for the web pages: by default the GSI standard map (地理院タイル 標準地図; its terms
# ask for the attribution below). A closed network (LGWAN) points this at its own tile server;
# set but empty means no background tiles: maps still work offline, showing assets and a
# grid, which is what staff need to place a point.
GSI_STANDARD_TILES = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
GSI_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/development/ichiran.html">国土地理院</a>'
MAP_TILE_URL = (
    envurl("MAP_TILE_URL", GSI_STANDARD_TILES)
    if os.environ.get("MAP_TILE_URL", GSI_STANDARD_TILES).strip()
    else ""
)
MAP_TILE_ATTRIBUTION = envstr(
    "MAP_TILE_ATTRIBUTION", GSI_ATTRIBUTION if MAP_TILE_URL == GSI_STANDARD_TILES else ""
)
MAP_CENTER = (envfloat("MAP_CENTER_LON", 132.7550), envfloat("MAP_CENTER_LAT", 35.3670))
MAP_ZOOM = envint("MAP_ZOOM", 14, minimum=0)
API_MAX_PAGE_SIZE = envint("API_MAX_PAGE_SIZE", 5000, minimum=1)
DEVICE_TOKEN_DAYS = envint("DEVICE_TOKEN_DAYS", 90, minimum=1)
API_DEFAULT_PAGE_SIZE = envint("API_DEFAULT_PAGE_SIZE", 1000, minimum=1)
OPEN_DATA_LICENSE = envstr("OPEN_DATA_LICENSE", "CC BY 4.0")
OPEN_DATA_LICENSE_URL = envurl(
    "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/deed.ja"
)
# Open data feeds may be cached this long by browsers and CDNs (they revalidate by ETag).
OPEN_DATA_MAX_AGE = envint("OPEN_DATA_MAX_AGE", 300, minimum=0)
# The Japanese standard open-data layouts: 全国地方公共団体コード (6 digits, with its check
# digit) and the prefecture, e.g. 322032 and 島根県 for 出雲市.
LOCAL_GOVERNMENT_CODE = envstr("LOCAL_GOVERNMENT_CODE", "322032")
PREFECTURE_NAME = envstr("PREFECTURE_NAME", "島根県")

# --- Channels: LINE and the report mailbox (channels/) -----------------------------------
# LINE (Messaging API): the channel's secret and long-lived access token from the LINE
# Developers console; with either unset the channel is off and /line/webhook answers 404.
LINE_CHANNEL_SECRET = envstr("LINE_CHANNEL_SECRET")
LINE_CHANNEL_ACCESS_TOKEN = envstr("LINE_CHANNEL_ACCESS_TOKEN")
LINE_BOT_BASIC_ID = envstr("LINE_BOT_BASIC_ID")  # @123abcde, for the sticker page's link
# Pushed messages are paid beyond the plan's free quota: at most this many a month.
LINE_PUSH_MONTHLY_CAP = envint("LINE_PUSH_MONTHLY_CAP", 1000, minimum=0)
LINE_API_URL = envurl("LINE_API_URL") or "https://api.line.me"
LINE_API_DATA_URL = envurl("LINE_API_DATA_URL") or "https://api-data.line.me"
# The report mailbox, read by `manage.py mail_intake` over IMAP with TLS.
MAIL_INTAKE_HOST = envstr("MAIL_INTAKE_HOST")
MAIL_INTAKE_PORT = envint("MAIL_INTAKE_PORT", 993, minimum=1)
MAIL_INTAKE_USER = envstr("MAIL_INTAKE_USER")
MAIL_INTAKE_PASSWORD = envstr("MAIL_INTAKE_PASSWORD")
MAIL_INTAKE_FOLDER = envstr("MAIL_INTAKE_FOLDER", "INBOX")
MAIL_INTAKE_PROCESSED_FOLDER = envstr("MAIL_INTAKE_PROCESSED_FOLDER", "Processed")
MAIL_INTAKE_STAFF_FOLDER = envstr("MAIL_INTAKE_STAFF_FOLDER", "For staff")
MAIL_INTAKE_CA_FILE = envstr("MAIL_INTAKE_CA_FILE")
MAIL_INTAKE_ADDRESS = envstr("MAIL_INTAKE_ADDRESS")  # report@city.example, for mailto: links
MAIL_INTAKE_PER_SENDER_DAY = envint("MAIL_INTAKE_PER_SENDER_DAY", 10, minimum=1)

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# No inline script anywhere (data goes in json_script or data- attributes), so an injected
# <script> or onclick= does not run. Inline styles are refused as well: the pages style
# through classes and the scripts through element.style, which CSP allows; the API docs'
# Redoc injects <style> and is relaxed for that one page (api/urls.py).


def _tile_sources(url: str) -> list[str]:
    """The tile server's scheme://host, if any; a {s} subdomain becomes a wildcard."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []
    first, dot, rest = parts.netloc.partition(".")
    host = f"*.{rest}" if "{" in first and dot else parts.netloc
    return [f"{parts.scheme}://{host}"]


def _storage_sources() -> list[str]:
    """Photos on S3 are handed out as redirects to signed URLs: pages load them from there."""
    if not S3_BUCKET:
        return []
    if S3_ENDPOINT_URL:
        parts = urlsplit(S3_ENDPOINT_URL)
        return [f"{parts.scheme}://{parts.netloc}"]
    return [
        f"https://{S3_BUCKET}.s3.{S3_REGION}.amazonaws.com",
        f"https://s3.{S3_REGION}.amazonaws.com",
    ]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            "blob:",
            *_tile_sources(MAP_TILE_URL),
            *_storage_sources(),
        ],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# The Japanese font embedded in label sheets and drawn under QR images (Debian's
# fonts-ipaexfont, which `make run` installs).
LABEL_FONT_PATH = envstr("LABEL_FONT_PATH", "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")

# --- Open311 GeoReport v2 (/open311/v2/) ---
# Our jurisdiction_id; clients may leave it out (this server serves one city).
OPEN311_JURISDICTION = envstr("OPEN311_JURISDICTION", _public.hostname or "localhost")
OPEN311_CONTACT = envstr("OPEN311_CONTACT", "")
# Posts per API key, "count/seconds", unless the key has its own limit.
OPEN311_RATE_LIMIT = envrate("OPEN311_RATE_LIMIT", "600/3600")
OPEN311_MAX_RESULTS = envint("OPEN311_MAX_RESULTS", 1000, minimum=1)
# The managers' inspection overview: "due soon" means within this many days (?days=N).
INSPECTION_UPCOMING_DAYS = envint("INSPECTION_UPCOMING_DAYS", 30, minimum=1)

# Scans of stickers are written in batches: this many, or after this many seconds.
SCAN_BATCH_SIZE = envint("SCAN_BATCH_SIZE", 50, minimum=1)
SCAN_BATCH_SECONDS = envfloat("SCAN_BATCH_SECONDS", 10, minimum=0)

# --- Repair priority (reports/priority.py) ---
# A fault this close to a school, hospital or station counts more.
PRIORITY_CONTEXT_DISTANCE_M = envfloat("PRIORITY_CONTEXT_DISTANCE_M", 200, minimum=0)
# Weights by name, e.g. PRIORITY_WEIGHTS='{"school": 15, "overdue": 40}'.
PRIORITY_WEIGHTS = envjson("PRIORITY_WEIGHTS", {})

# --- Resident reports -----------------------------------------------------------------------
# The area reports may come from: a GeoJSON file, GeoJSON text or WKT. Empty: anywhere.
SERVICE_AREA = envstr("SERVICE_AREA")
# Who handles a report when neither an asset nor the category names a section.
REPORT_DEFAULT_OWNER = envstr("REPORT_DEFAULT_OWNER")
REPORT_MAX_PHOTOS = envint("REPORT_MAX_PHOTOS", 5, minimum=0)
REPORT_DUPLICATE_RADIUS_M = envfloat("REPORT_DUPLICATE_RADIUS_M", 30, minimum=0)
PHOTO_FAR_FROM_ASSET_M = envfloat("PHOTO_FAR_FROM_ASSET_M", 200, minimum=0)
# Contact details are deleted this long after a report is fixed or closed (APPI).
REPORT_CONTACT_RETENTION_DAYS = envint("REPORT_CONTACT_RETENTION_DAYS", 90, minimum=1)
# An owner's or contractor's link to one report (no account needed) works this many days
# after it is sent, and at least this long past the report's target date.
OWNER_LINK_DAYS = envint("OWNER_LINK_DAYS", 60, minimum=1)
# After "fixed", a resident's own link offers "still broken" for this many days.
STILL_BROKEN_DAYS = envint("STILL_BROKEN_DAYS", 14, minimum=1)
PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 50_000_000, minimum=10_000)
PHOTO_PUBLIC_MAX_PX = envint("PHOTO_PUBLIC_MAX_PX", 2048, minimum=64)
PHOTO_THUMB_MAX_PX = envint("PHOTO_THUMB_MAX_PX", 400, minimum=32)
PHOTO_JPEG_QUALITY = envint("PHOTO_JPEG_QUALITY", 82, minimum=1)
# Photos whose processing is queued again at most per minute by each task worker (a run lost
# with a killed worker, or a storage that failed): reports/photo_tasks.py photos_resume.
PHOTO_RESUME_BATCH = envint("PHOTO_RESUME_BATCH", 200, minimum=1)
# Rate limits, "count/seconds". Generous per address: Japanese carriers put many phones
# behind one address (carrier-grade NAT).
RATE_LIMIT_REPORTS_PER_ADDRESS = envrate("RATE_LIMIT_REPORTS_PER_ADDRESS", "60/3600")
RATE_LIMIT_REPORTS_PER_SESSION = envrate("RATE_LIMIT_REPORTS_PER_SESSION", "10/3600")
RATE_LIMIT_REPORTS_PER_ASSET = envrate("RATE_LIMIT_REPORTS_PER_ASSET", "20/3600")
# Trust X-Forwarded-For for the client address only behind a proxy that sets it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0)
# /metrics answers loopback clients, and others sending "Authorization: Bearer <token>".
METRICS_TOKEN = envstr("METRICS_TOKEN")
# /healthz/tasks answers 503 when a due task has waited longer than this (seconds).
TASKS_MAX_QUEUE_AGE = envint("TASKS_MAX_QUEUE_AGE", 300, minimum=1)
# Uploads: 5 photos of 15 MB plus the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)
