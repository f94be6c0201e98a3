"""Settings, read from the environment.

The defaults give a working local install (SQLite in var/, evidence in var/evidence). Unsafe production
values fail loudly at start-up: see config/checks.py and the guard at the end of this file.
"""

import os
from pathlib import Path

import dj_database_url
import django.conf.locale
from celery.schedules import crontab as _crontab
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
    "referrals",
    "intake",
    "publicdata",
    "notices",
    "early_intervention",
    "staffnotices",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app process (compressed, cache-busted names) without a separate server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
        # Each web thread keeps its connection between requests: a new PostgreSQL connection (a new server process)
        # per request took about 27 ms on 2 busy cores, twice per filing. A connection the server dropped is noticed
        # before a request uses it. DB_CONN_MAX_AGE=0 closes it after every request.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
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
os.makedirs(STATIC_ROOT, exist_ok=True)  # WhiteNoise looks there at start-up, before any collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []

# Evidence storage: the local folder by default; S3-compatible object storage when EVIDENCE_STORAGE=s3.
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence"))
EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "local")


def _s3_transfer_config():
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=8 * 1024**2, multipart_chunksize=8 * 1024**2, max_concurrency=2)
    config.max_in_memory_upload_chunks = 2  # s3transfer reads ten parts ahead by default (80 MiB per upload)
    return config


if EVIDENCE_STORAGE == "s3":
    _evidence_storage = {
        "BACKEND": "complaints.storage.EvidenceS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("EVIDENCE_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("EVIDENCE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("EVIDENCE_S3_REGION") or None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "signature_version": "s3v4",
            # Uploads go up in 8 MiB parts, a few at a time: memory stays flat whatever the file's size.
            "transfer_config": _s3_transfer_config(),
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
    # STATIC_MANIFEST=1 (scripts/serve): hashed, compressed copies made by collectstatic, cached for a year by
    # browsers. Off by default so that tests and development need no collectstatic run.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if env_bool("STATIC_MANIFEST") else "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence": _evidence_storage,
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS-terminating proxy: SECURE_SSL_REDIRECT=1, SECURE_HSTS_SECONDS=31536000 and
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (the proxy must set that header itself).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check over plain HTTP inside the network
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
# Wrong follow-up codes allowed per client address within FOLLOW_UP_LOCKOUT_SECONDS. There is no limit per
# reference: references are sequential, so a stranger could lock any filer out. Past FOLLOW_UP_FAILURES_ALERT wrong
# codes site-wide in one window, ADMINS get one e-mail (nobody is refused for it). docs/follow-up-codes.md.
FOLLOW_UP_FAILURES_PER_ADDRESS = int(os.environ.get("FOLLOW_UP_FAILURES_PER_ADDRESS", "20"))
FOLLOW_UP_FAILURES_ALERT = int(os.environ.get("FOLLOW_UP_FAILURES_ALERT", "500"))
FOLLOW_UP_LOCKOUT_SECONDS = int(os.environ.get("FOLLOW_UP_LOCKOUT_SECONDS", "900"))
# What one complaint can receive through the follow-up portal in a day (a flood would bury the real messages).
FOLLOW_UP_MESSAGES_PER_DAY = int(os.environ.get("FOLLOW_UP_MESSAGES_PER_DAY", "20"))
FOLLOW_UP_RETALIATION_REPORTS_PER_DAY = int(os.environ.get("FOLLOW_UP_RETALIATION_REPORTS_PER_DAY", "10"))
# Who gets operational alerts (e.g. a burst of wrong follow-up codes): e-mail addresses, comma-separated.
ADMINS = [(address, address) for address in env_list("ADMINS")]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", os.environ.get("DEFAULT_FROM_EMAIL", "complaints@localhost"))
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
# For django.core.mail.backends.filebased.EmailBackend (the browser tests read staff e-mails from there).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "complaints@localhost")

# Public statistics: counts from 1 to PUBLIC_DATA_THRESHOLD - 1 are withheld from every published table.
PUBLIC_DATA_THRESHOLD = int(os.environ.get("PUBLIC_DATA_THRESHOLD", "11"))

# Staff lists count matching cases up to this many; past it they say "more than 1000 cases" and page on with
# Next, so a list of 200,000 cases costs what one of 1,000 does (investigations.pagination).
STAFF_LIST_COUNT_UP_TO = int(os.environ.get("STAFF_LIST_COUNT_UP_TO", "1000"))
# A page number typed without a page key (?page=N) is read with OFFSET, which walks every row before it; it may skip
# at most this many rows (page 5 at 25 a page): past it, the furthest such page is shown, and Next goes on by key.
STAFF_LIST_OFFSET_UP_TO = int(os.environ.get("STAFF_LIST_OFFSET_UP_TO", "100"))

# Notices to filers (notices app): "there is news, sign in with your code", never case details. The public
# address of the site goes into e-mails and texts, which are sent outside any request.
PUBLIC_SITE_URL = os.environ.get("PUBLIC_SITE_URL", "http://127.0.0.1:8000")
# Where staff sign in, for the links in their notification e-mails (the public site's address unless told).
STAFF_SITE_URL = os.environ.get("STAFF_SITE_URL", PUBLIC_SITE_URL)
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

# --- Staff sign-in, sessions, Content-Security-Policy and deploy checks (issue 10 item 5, issue 9 item 6) --------
# Kept in one block, added to the lists above by position, so other settings work merges cleanly.
import datetime as _datetime  # noqa: E402

from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "signin",
]


def _insert_after(existing, new):
    MIDDLEWARE.insert(MIDDLEWARE.index(existing) + 1, new)


_insert_after("django.middleware.security.SecurityMiddleware", "csp.middleware.CSPMiddleware")
_insert_after("django.contrib.auth.middleware.AuthenticationMiddleware", "django_otp.middleware.OTPMiddleware")
# Session limits and the second factor, once the user, their OTP device and messages are known.
_insert_after("django.contrib.messages.middleware.MessageMiddleware", "signin.middleware.StaffSignInMiddleware")
# Axes turns a locked-out sign-in into its lockout page; it must see the response last.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with a user's permissions read in one query instead of two (every staff page asks).
    "signin.backends.ModelBackendOneQuery",
]

# Lockout is per user name AND client address: a stranger who types a real user's name from elsewhere locks
# only that pair (their own address), never the user at their desk; the lock lifts by itself after the cool-off.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("STAFF_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = _datetime.timedelta(minutes=int(os.environ.get("STAFF_SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
# Further tries during a lockout do not push its end further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "signin.views.locked_out"
# The same client address the intake rate limits use (CLIENT_ADDRESS_HEADER behind a proxy).
AXES_CLIENT_IP_CALLABLE = "intake.ratelimit.client_address"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Complaint tracker")

# Staff sessions end after this much inactivity, and in any case this long after signing in (a working day).
# Public filers have no account; their follow-up sessions are not touched.
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30")) * 60
STAFF_SESSION_MAX_SECONDS = int(os.environ.get("STAFF_SESSION_MAX_HOURS", "10")) * 3600

# No inline script anywhere; inline <style> blocks carry the per-response nonce. Evidence playback may come from
# the S3 endpoint (presigned URLs) or other origins named in CSP_MEDIA_ORIGINS.
_media_origins = env_list("CSP_MEDIA_ORIGINS")
if EVIDENCE_STORAGE == "s3" and os.environ.get("EVIDENCE_S3_ENDPOINT_URL"):
    from urllib.parse import urlsplit as _urlsplit

    _endpoint = _urlsplit(os.environ["EVIDENCE_S3_ENDPOINT_URL"])
    _media_origins.append(f"{_endpoint.scheme}://{_endpoint.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *_media_origins],
        "media-src": [SELF, *_media_origins],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")

# A short or repetitive key can be guessed offline from any signed cookie; refuse it like Django's W009 warns.
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too short or too simple: use at least 50 random characters, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

# --- Tamper evidence (issue 9) ---------------------------------------------------------------------------------
# The key that signs every history chain head (complaints.anchors). It lives in the environment, never in the
# database, so whoever can rewrite the database cannot re-sign a rewritten chain. Unset: derived from
# DJANGO_SECRET_KEY (a development default only under DEBUG, where that key is the development one).
HISTORY_CHAIN_KEY = os.environ.get("HISTORY_CHAIN_KEY", "")
# Chains per history table on PostgreSQL (complaints.history.claim_head): up to this many transactions write one
# table's history at once without waiting for each other. SQLite has one writer at a time and one chain.
HISTORY_CHAIN_LANES = int(os.environ.get("HISTORY_CHAIN_LANES", "8"))
# Append-only anchor files (manage.py anchor_history): put this on storage the database owner cannot write,
# e.g. a separate mount, a WORM share or a synced folder.
HISTORY_ANCHOR_DIR = Path(os.environ.get("HISTORY_ANCHOR_DIR", VAR_DIR / "anchors"))
# Upload temp files older than this are leftovers of a crash or a dropped connection (sweep_uploads).
UPLOAD_TEMP_MAX_AGE = int(os.environ.get("UPLOAD_TEMP_MAX_AGE", str(24 * 3600)))

# --- Production path (issue 10) ---------------------------------------------------------------------------------
# Background jobs: Redis or RabbitMQ in production (CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/6 or
# amqp://guest:guest@127.0.0.1:5672//). The default is kombu's filesystem transport in var/queue: it needs no
# server, survives restarts as plain files, and every process on this machine shares it (see config/celery.py).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    QUEUE_DIR = Path(os.environ.get("QUEUE_DIR", VAR_DIR / "queue"))
    os.makedirs(QUEUE_DIR, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(QUEUE_DIR), "data_folder_out": str(QUEUE_DIR),
                                       "store_processed": False}
# A job is acknowledged only when it finished, so a worker killed mid-job leaves it queued for another worker;
# every step is idempotent (complaints.processing), so running one twice is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Malware scan: clamd over its socket (Debian clamav-daemon: /run/clamav/clamd.ctl) or TCP (CLAMD_TCP=host:port).
# EVIDENCE_SCAN=off skips the scan and says so on every file ("not scanned"); the default with DEBUG=1, since no
# signatures can be downloaded on a development machine.
EVIDENCE_SCAN = os.environ.get("EVIDENCE_SCAN", "off" if DEBUG else "clamd")
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "/run/clamav/clamd.ctl")
CLAMD_TCP = os.environ.get("CLAMD_TCP", "")
CLAMD_TIMEOUT = int(os.environ.get("CLAMD_TIMEOUT", "600"))
# Media tools: x264 preset for playable copies (speed vs size; see bench/RESULTS.md) and a scratch folder for
# the copies ffmpeg reads and writes (object storage has no local path).
EVIDENCE_TRANSCODE_PRESET = os.environ.get("EVIDENCE_TRANSCODE_PRESET", "veryfast")
PROCESSING_TEMP_DIR = os.environ.get("PROCESSING_TEMP_DIR") or str(VAR_DIR / "processing")
# Object Lock on the evidence bucket: originals and derived files written under a legal hold (S3 refuses to
# delete them while it is on). Needs a bucket created with Object Lock enabled.
EVIDENCE_S3_OBJECT_LOCK = env_bool("EVIDENCE_S3_OBJECT_LOCK")
EVIDENCE_S3_RETENTION_DAYS = int(os.environ.get("EVIDENCE_S3_RETENTION_DAYS", "0"))
CELERY_TIMEZONE = TIME_ZONE  # the schedule below reads hours in local time
# The scheduler (`celery -A config beat`): one per installation; sends again jobs lost with a broker, and evaluates
# every early-intervention rule for every officer (EI_EVALUATION_INTERVAL seconds, hourly by default; each change
# is also evaluated right after it, for the officers it concerns).
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-evidence": {"task": "complaints.requeue_stalled_evidence", "schedule": 15 * 60},
    "evaluate-early-intervention": {"task": "early_intervention.evaluate_all",
                                    "schedule": int(os.environ.get("EI_EVALUATION_INTERVAL", "3600"))},
    # Each staff member who chose a daily summary gets one (manage.py send_staff_digest; once per day however
    # often it runs). STAFF_DIGEST_HOUR is local time (TIME_ZONE).
    "send-staff-digest": {"task": "staffnotices.send_staff_digest",
                          "schedule": _crontab(minute=0, hour=int(os.environ.get("STAFF_DIGEST_HOUR", "6")))},
}
