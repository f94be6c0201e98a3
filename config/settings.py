"""Settings, read from the environment.

The defaults give a working local install (SQLite in var/, evidence in var/evidence). Unsafe production
values fail loudly at start-up: see config/checks.py and the guard at the end of this file.
"""

import os
from pathlib import Path

import dj_database_url
import django.conf.locale
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# Only ever used when DEBUG is on; production must set DJANGO_SECRET_KEY (checked below).
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# The key follow-up codes are stored under (HMAC-SHA256, complaints.codes). Kept apart from SECRET_KEY so that
# rotating SECRET_KEY (sessions, CSRF) does not lock every filer out; when unset it is derived from SECRET_KEY,
# which `check --deploy` reports as an error (complaints.E003). Never change it: stored codes would stop matching.
FOLLOW_UP_CODE_KEY = os.environ.get("FOLLOW_UP_CODE_KEY", "")

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or list(LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Our apps come before simple_history so our clean_old_history / clean_duplicate_history (which
    # refuse) replace its commands of the same name.
    "complaints",
    "investigations",
    "investigations.referrals",
    "intake",
    "notices",
    "early_intervention",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "complaints.middleware.HistoryActorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a complaint is being written; the busy timeout keeps concurrent
    # filers from seeing "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "staff:login"

# Languages offered to the public. Codes follow Django's; the names are written in each language's own name
# by the language switcher (django.utils.translation.get_language_info).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pl", _("Polish")),
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("ar", _("Arabic")),
    ("tl", _("Tagalog")),
    ("ko", _("Korean")),
    ("hi", _("Hindi")),
    ("ur", _("Urdu")),
    ("gu", _("Gujarati")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("vi", _("Vietnamese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []

# Evidence storage: the local folder by default; S3-compatible object storage when EVIDENCE_STORAGE=s3.
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence"))
EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "local")
if EVIDENCE_STORAGE == "s3":
    _evidence_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("EVIDENCE_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("EVIDENCE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("EVIDENCE_S3_REGION") or None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
elif EVIDENCE_STORAGE == "local":
    _evidence_storage = {
        "BACKEND": "complaints.storage.ImmutableFileSystemStorage",
        "OPTIONS": {"location": str(EVIDENCE_ROOT), "base_url": None},
    }
else:
    raise ImproperlyConfigured("EVIDENCE_STORAGE must be 'local' or 's3'.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence": _evidence_storage,
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS-terminating proxy: SECURE_SSL_REDIRECT=1, SECURE_HSTS_SECONDS=31536000 and
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (the proxy must set that header itself).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The request logger would write client addresses next to complaint URLs; anonymous filers must not
    # be identifiable from our logs.
    "loggers": {"django.server": {"handlers": [], "propagate": False}},
}


def _is_local_host(host):
    return host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost")


# Refuse to start an unsafe production configuration. System checks (config/checks.py) report the same
# problems for `manage.py check --deploy`; this guard also stops WSGI servers, which never run checks.
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for a local install)."
    )
if DEBUG and any(not _is_local_host(h) for h in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "DEBUG=1 is only allowed when every ALLOWED_HOSTS entry is local; it would expose internals publicly."
    )

# --- Public intake (issue 3) ---------------------------------------------------------------------------------
# Django's LANG_INFO lacks Tagalog and Gujarati; the language switcher shows each language in its own name.
django.conf.locale.LANG_INFO.update({
    "tl": {"bidi": False, "code": "tl", "name": "Tagalog", "name_local": "Tagalog"},
    "gu": {"bidi": False, "code": "gu", "name": "Gujarati", "name_local": "ગુજરાતી"},
})

# Evidence streams to disk while it is hashed (complaints.evidence); the size limit is enforced mid-stream.
FILE_UPLOAD_HANDLERS = ["complaints.evidence.EvidenceUploadHandler"]
# Same filesystem as the local evidence folder by default, so storing an upload is a rename, not a copy (and
# never a RAM-backed /tmp).
FILE_UPLOAD_TEMP_DIR = os.environ.get("UPLOAD_TEMP_DIR") or str(VAR_DIR / "uploads")
os.makedirs(FILE_UPLOAD_TEMP_DIR, exist_ok=True)
EVIDENCE_MAX_FILE_SIZE = int(os.environ.get("EVIDENCE_MAX_FILE_SIZE", str(2 * 1024**3)))
EVIDENCE_MAX_FILES_PER_COMPLAINT = int(os.environ.get("EVIDENCE_MAX_FILES_PER_COMPLAINT", "20"))
# Per (salted, hashed) client address, counted in the cache for an hour; generous for real filers.
INTAKE_COMPLAINTS_PER_HOUR = int(os.environ.get("INTAKE_COMPLAINTS_PER_HOUR", "10"))
INTAKE_FILES_PER_HOUR = int(os.environ.get("INTAKE_FILES_PER_HOUR", "60"))
# Behind a reverse proxy every request comes from the proxy: name the header it sets with the client's address
# (e.g. HTTP_X_REAL_IP) so rate limits count filers, not the proxy. Empty: REMOTE_ADDR.
CLIENT_ADDRESS_HEADER = os.environ.get("CLIENT_ADDRESS_HEADER", "")
# Wrong follow-up codes allowed per reference and per address within FOLLOW_UP_LOCKOUT_SECONDS.
FOLLOW_UP_FAILURES_PER_REFERENCE = int(os.environ.get("FOLLOW_UP_FAILURES_PER_REFERENCE", "5"))
FOLLOW_UP_FAILURES_PER_ADDRESS = int(os.environ.get("FOLLOW_UP_FAILURES_PER_ADDRESS", "20"))
FOLLOW_UP_LOCKOUT_SECONDS = int(os.environ.get("FOLLOW_UP_LOCKOUT_SECONDS", "900"))
# Rate limits live in the cache only (never with a complaint). The default cache is per process: with several
# app processes, set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so the limits hold across them.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "intake"}}
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "complaints"}}
CSRF_FAILURE_VIEW = "intake.views.csrf_failure"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "complaints@localhost")

# Staff lists count matching cases up to this many; past it they say "more than 1000 cases" and page on with
# Next, so a list of 200,000 cases costs what one of 1,000 does (investigations.pagination).
STAFF_LIST_COUNT_UP_TO = int(os.environ.get("STAFF_LIST_COUNT_UP_TO", "1000"))

# Notices to filers (notices app): "there is news, sign in with your code", never case details. The public
# address of the site goes into e-mails and texts, which are sent outside any request.
PUBLIC_SITE_URL = os.environ.get("PUBLIC_SITE_URL", "http://127.0.0.1:8000")
# Text messages: a dotted path to a backend class with send(phone, text), e.g. "notices.sms.ConsoleBackend".
# Empty (the default): no text messages are sent.
NOTICE_SMS_BACKEND = os.environ.get("NOTICE_SMS_BACKEND", "")

# The office, as printed on receipts and closure letters (fill in the agency's own).
OFFICE_ADDRESS = os.environ.get("OFFICE_ADDRESS", "Police complaint office, 100 Main Street, Room 200")
OFFICE_PHONE = os.environ.get("OFFICE_PHONE", "555-0100")
OFFICE_TTY = os.environ.get("OFFICE_TTY", "711")
# Time frames promised to filers, in days: first contact, and the usual length of an investigation.
OFFICE_FIRST_CONTACT_DAYS = int(os.environ.get("OFFICE_FIRST_CONTACT_DAYS", "5"))
OFFICE_INVESTIGATION_DAYS = int(os.environ.get("OFFICE_INVESTIGATION_DAYS", "180"))
