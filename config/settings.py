"""Machimori settings. Everything a deployment changes comes from the environment.

See README.md ("Production settings") for the list; nothing secret lives in the repository.
"""

import json
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from config.env import envbool, envfloat, envint, envlist, envstr

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

PUBLIC_BASE_URL = envstr("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
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
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "assets",
    "qr_labels",
    "reports",
    "inspections",
    "api",
    "web_admin",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DATABASE_URL = envstr("DATABASE_URL", f"spatialite:///{VAR_DIR / 'machimori.sqlite3'}")
_db = dj_database_url.parse(
    DATABASE_URL,
    conn_max_age=envint("CONN_MAX_AGE", 600),
    conn_health_checks=True,
)
# Plain postgres:// or sqlite:// URLs still need the spatial backends.
_db["ENGINE"] = {
    "django.db.backends.postgresql": "django.contrib.gis.db.backends.postgis",
    "django.db.backends.sqlite3": "django.contrib.gis.db.backends.spatialite",
}.get(_db["ENGINE"], _db["ENGINE"])
if _db["ENGINE"].endswith("spatialite"):
    # WAL lets readers run beside a writer; IMMEDIATE avoids "database is locked" when a
    # read transaction turns into a write. Measured: ~5 ms saved per request (ENVIRONMENT.md).
    _db.setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    _db["TEST"] = {"NAME": envstr("TEST_DATABASE_NAME") or None}
elif _db["ENGINE"].endswith("postgis"):
    # Web requests read a few hundred rows through indexes. Starting parallel workers for
    # them costs 10-30 ms and grows with the table (bench/: a 1,000-asset bbox took 44 ms at
    # 1M rows with a worker, 2 ms without). Long reports may SET LOCAL a higher value.
    workers = envint("PG_MAX_PARALLEL_WORKERS_PER_GATHER", 0)
    _db.setdefault("OPTIONS", {})["options"] = f"-c max_parallel_workers_per_gather={workers}"
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, counters) ----------------------------------------------------------
CACHE_URL = envstr("CACHE_URL")
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
AUTH_USER_MODEL = "assets.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "manage-login"
LOGIN_REDIRECT_URL = "manage-queue"
LOGOUT_REDIRECT_URL = "manage-login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)  # a working day
# Sign-in throttling (failures per window in seconds): then sign-in is refused for a while.
LOGIN_FAILURES_PER_USERNAME = envstr("LOGIN_FAILURES_PER_USERNAME", "5/900")
LOGIN_FAILURES_PER_ADDRESS = envstr("LOGIN_FAILURES_PER_ADDRESS", "30/900")
PASSWORD_RESETS_PER_ADDRESS = envstr("PASSWORD_RESETS_PER_ADDRESS", "5/3600")
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 3 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
_https = _public.scheme == "https"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", _https)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", _https)
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
WHITENOISE_MAX_AGE = envint("WHITENOISE_MAX_AGE", 3600)

S3_BUCKET = envstr("S3_BUCKET")
S3_ENDPOINT_URL = envstr("S3_ENDPOINT_URL") or None
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
            "querystring_expire": envint("S3_URL_EXPIRES", 3600),
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
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
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
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Machimori API",
    "DESCRIPTION": (
        "Assets, reports and inspections of a city's small infrastructure. "
        "Lists of assets are GeoJSON FeatureCollections (WGS84, lon/lat)."
    ),
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
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "fontTools": {"level": "WARNING"},  # its subsetter narrates every table at INFO
        "exifread": {"level": "ERROR"},  # "possibly corrupted IFD" on ordinary phone photos
    },
}

# GDAL 3.6 on Debian 12 is older than Django 5.2 would like; it works for all we use.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- Machimori ------------------------------------------------------------------------------
CITY_NAME = envstr("CITY_NAME", "出雲市")
CITY_NAME_EN = envstr("CITY_NAME_EN", "Izumo City")
CITY_PHONE = envstr("CITY_PHONE", "0853-21-2211")
# Map tiles for the web pages. Empty means no background tiles: maps still work offline,
# showing assets and a grid, which is what staff need to place a point.
MAP_TILE_URL = envstr("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = envstr("MAP_TILE_ATTRIBUTION")
MAP_CENTER = (envfloat("MAP_CENTER_LON", 132.7550), envfloat("MAP_CENTER_LAT", 35.3670))
MAP_ZOOM = envint("MAP_ZOOM", 14)
API_MAX_PAGE_SIZE = envint("API_MAX_PAGE_SIZE", 5000)
DEVICE_TOKEN_DAYS = envint("DEVICE_TOKEN_DAYS", 90)
RATE_LIMIT_SIGN_IN = envstr("RATE_LIMIT_SIGN_IN", "10/600")
API_DEFAULT_PAGE_SIZE = envint("API_DEFAULT_PAGE_SIZE", 1000)
OPEN_DATA_LICENSE = envstr("OPEN_DATA_LICENSE", "CC BY 4.0")
OPEN_DATA_LICENSE_URL = envstr(
    "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/deed.ja"
)
# Open data feeds may be cached this long by browsers and CDNs (they revalidate by ETag).
OPEN_DATA_MAX_AGE = envint("OPEN_DATA_MAX_AGE", 300)
# The Japanese standard open-data layouts: 全国地方公共団体コード (6 digits, with its check
# digit) and the prefecture, e.g. 322032 and 島根県 for 出雲市.
LOCAL_GOVERNMENT_CODE = envstr("LOCAL_GOVERNMENT_CODE", "322032")
PREFECTURE_NAME = envstr("PREFECTURE_NAME", "島根県")

# --- Open311 GeoReport v2 (/open311/v2/) ---
# Our jurisdiction_id; clients may leave it out (this server serves one city).
OPEN311_JURISDICTION = envstr("OPEN311_JURISDICTION", _public.hostname or "localhost")
OPEN311_CONTACT = envstr("OPEN311_CONTACT", "")
# Posts per API key, "count/seconds", unless the key has its own limit.
OPEN311_RATE_LIMIT = envstr("OPEN311_RATE_LIMIT", "600/3600")
OPEN311_MAX_RESULTS = envint("OPEN311_MAX_RESULTS", 1000)
# The managers' inspection overview: "due soon" means within this many days (?days=N).
INSPECTION_UPCOMING_DAYS = envint("INSPECTION_UPCOMING_DAYS", 30)

# Scans of stickers are written in batches: this many, or after this many seconds.
SCAN_BATCH_SIZE = envint("SCAN_BATCH_SIZE", 50)
SCAN_BATCH_SECONDS = envfloat("SCAN_BATCH_SECONDS", 10)

# --- Repair priority (reports/priority.py) ---
# A fault this close to a school, hospital or station counts more.
PRIORITY_CONTEXT_DISTANCE_M = envfloat("PRIORITY_CONTEXT_DISTANCE_M", 200)
# Weights by name, e.g. PRIORITY_WEIGHTS='{"school": 15, "overdue": 40}'.
PRIORITY_WEIGHTS = json.loads(envstr("PRIORITY_WEIGHTS", "{}"))

# --- Resident reports -----------------------------------------------------------------------
# The area reports may come from: a GeoJSON file, GeoJSON text or WKT. Empty: anywhere.
SERVICE_AREA = envstr("SERVICE_AREA")
# Who handles a report when neither an asset nor the category names a section.
REPORT_DEFAULT_OWNER = envstr("REPORT_DEFAULT_OWNER")
REPORT_MAX_PHOTOS = envint("REPORT_MAX_PHOTOS", 5)
REPORT_DUPLICATE_RADIUS_M = envfloat("REPORT_DUPLICATE_RADIUS_M", 30)
PHOTO_FAR_FROM_ASSET_M = envfloat("PHOTO_FAR_FROM_ASSET_M", 200)
# Contact details are deleted this long after a report is fixed or closed (APPI).
REPORT_CONTACT_RETENTION_DAYS = envint("REPORT_CONTACT_RETENTION_DAYS", 90)
PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 50_000_000)
PHOTO_PUBLIC_MAX_PX = envint("PHOTO_PUBLIC_MAX_PX", 2048)
PHOTO_THUMB_MAX_PX = envint("PHOTO_THUMB_MAX_PX", 400)
PHOTO_JPEG_QUALITY = envint("PHOTO_JPEG_QUALITY", 82)
# Rate limits, "count/seconds". Generous per address: Japanese carriers put many phones
# behind one address (carrier-grade NAT).
RATE_LIMIT_REPORTS_PER_ADDRESS = envstr("RATE_LIMIT_REPORTS_PER_ADDRESS", "60/3600")
RATE_LIMIT_REPORTS_PER_SESSION = envstr("RATE_LIMIT_REPORTS_PER_SESSION", "10/3600")
RATE_LIMIT_REPORTS_PER_ASSET = envstr("RATE_LIMIT_REPORTS_PER_ASSET", "20/3600")
# Trust X-Forwarded-For for the client address only behind a proxy that sets it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
# Uploads: 5 photos of 15 MB plus the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
