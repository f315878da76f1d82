"""Settings, all driven by the environment with safe development defaults."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from common.env import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# Django's /admin/ is for operators only: off unless ADMIN_ENABLED=1.
ADMIN_ENABLED = envbool("ADMIN_ENABLED", False)

DJANGO_APPS = [
    *(["django.contrib.admin"] if ADMIN_ENABLED else []),
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's security-key list
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally: /api/docs/ works offline
    "guardian",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
]
LOCAL_APPS = [
    "notifications",
    "audit",
    "agencies",
    "cases",
    "assistance",
    "notices",
    "sharing",
    "interop",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.http.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.replica.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "agencies.second_factor.SecondFactorMiddleware",
    "agencies.providers.ProviderGateMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cybercoop.urls"
WSGI_APPLICATION = "cybercoop.wsgi.application"

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
                "agencies.context_processors.memberships",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# An optional read replica for the listed list, TAXII and export views (common/replica.py); the
# test suite mirrors it onto the primary.
if env("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL", ""), conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["common.replica.ReplicaRouter"]
REPLICA_PIN_SECONDS = int(env("REPLICA_PIN_SECONDS", "15"))
REPLICA_READ_APPS = frozenset({"cases", "sharing", "notices", "assistance", "interop", "audit"})
REPLICA_READ_VIEWS = frozenset(
    {
        "cases:list",
        "api_cases",
        "api_jits",
        "notice_list",
        "public_notices",
        "api_notices",
        "indicator_list",
        "api_indicators",
        "api_deliveries",
        "assistance:inbox",
        "api_assistance_requests",
        "taxii_collections",
        "taxii_objects",
        "taxii_object",
        "taxii_object_versions",
        "taxii_manifest",
        "api_stix_export",
        "api_log_entries",
    }
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The demo's SQLite ignores a covering index's INCLUDE columns (the index itself works).
SILENCED_SYSTEM_CHECKS = [] if USING_POSTGRES else ["models.W040"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username outright
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous sees public pages only
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Accounts (django-allauth): members join by invitation only and sign in with their username;
# password reset and change by e-mail; second factors (TOTP, recovery codes, WebAuthn).
ACCOUNT_ADAPTER = "agencies.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "django.contrib.auth.tokens.PasswordResetTokenGenerator"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_ADAPTER = "agencies.second_factor.MFAAdapter"
# Encrypts TOTP and recovery-code seeds at rest; set it apart from SECRET_KEY so that rotating
# SECRET_KEY does not lock everyone out of their second factor.
MFA_ENCRYPTION_KEY = env("MFA_ENCRYPTION_KEY", SECRET_KEY)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "CyberCoop"
MFA_RECOVERY_CODES_SHOW_ONCE = True
MFA_ALLOW_UNVERIFIED_EMAIL = True  # invited addresses are proven by the invitation link
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # http://localhost in the demo and tests

# Lockout (django-axes): LOGIN_FAILURE_LIMIT failed sign-ins for one username, or from one
# address, lock it for LOGIN_COOLOFF_MINUTES, right password or not. Attempts live in the
# database, so the lockout holds across workers; it is audited and the admin of the locked
# member's agency can lift it. allauth's own failed-login limit is off (axes owns it, so that
# every lockout is audited and liftable); allauth's other limits (sign-in and reset requests
# per address) stay on.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "agencies.lockouts.username_of"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agencies.lockouts.lockout_response"
ACCOUNT_RATE_LIMITS = {"login_failed": None}
AXES_VERBOSE = False  # lockouts are audited (agencies.lockouts); no per-attempt log lines

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# INTERPOL's four working languages. The browser's Accept-Language chooses, the switcher in
# the page footer overrides it (a cookie); Arabic pages are right-to-left.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["cybercoop.formats"]  # what Django's locales leave out (Arabic date-times)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Redis: broker and cache. Without REDIS_URL, Celery runs tasks eagerly in-process.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers keep their database connections between tasks: Celery's own close after every task
# is off (a huge reuse count), and cybercoop/celery.py closes only the unusable or obsolete ones
# (CONN_MAX_AGE, CONN_HEALTH_CHECKS) around each task, as Django does around each request.
CELERY_DB_REUSE_MAX = 2**31
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Three queues, each with its own workers (docker-compose.yml: delivery-worker, ingest-worker,
# worker), so a bulk import never delays a delivery and neither delays periodic work:
# deliveries and outbox fills ("" = the default queue); ingest work (a large ingest's TAXII
# versions and matches); periodic work, the default queue (beat's tasks, anything unrouted).
CELERY_TASK_DEFAULT_QUEUE = env("PERIODIC_QUEUE", "periodic")
SHARING_DELIVERY_QUEUE = env("SHARING_DELIVERY_QUEUE", "deliveries")
INGEST_QUEUE = env("INGEST_QUEUE", "ingest")
CELERY_TASK_ROUTES = {
    "sharing.deliver": {"queue": SHARING_DELIVERY_QUEUE or CELERY_TASK_DEFAULT_QUEUE},
    "sharing.fill_outbox": {"queue": SHARING_DELIVERY_QUEUE or CELERY_TASK_DEFAULT_QUEUE},
    "sharing.announce_indicators": {"queue": INGEST_QUEUE},
    "sharing.bulk_paste": {"queue": INGEST_QUEUE},
    "interop.import_job": {"queue": INGEST_QUEUE},
}
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # The worker records each run; /healthz reports when the worker was last seen.
    "worker-heartbeat": {"task": "cybercoop.tasks.ping", "schedule": 60.0},
    # Six-month expiry reminders and expiry of overdue notices.
    "notices-expiry-sweep": {"task": "notices.expiry_sweep", "schedule": 3600.0},
    # Sign a transparency-log checkpoint when the log grew.
    "audit-sign-checkpoint": {
        "task": "audit.sign_checkpoint",
        "schedule": float(envint("TRANSPARENCY_CHECKPOINT_INTERVAL", 60)),
    },
    # Append the events recorded without the log's lock (queued on commit too).
    "audit-sequence-pending": {"task": "audit.sequence_pending_events", "schedule": 10.0},
    # Preservations whose period ended expire (assistance requests).
    "assistance-expire-preservations": {
        "task": "assistance.expire_preservations",
        "schedule": 3600.0,
    },
    # Deadline reminders 48 hours ahead and when overdue (assistance requests).
    "assistance-deadline-reminders": {
        "task": "assistance.deadline_reminders",
        "schedule": 900.0,
    },
    # The daily e-mail digest of unread notifications (each user at most once a day).
    "notifications-send-digests": {"task": "notifications.send_digests", "schedule": 3600.0},
    # Re-enqueue deliveries a lost message or a killed worker left pending.
    "sharing-sweep-deliveries": {
        "task": "sharing.tasks.sweep_deliveries",
        "schedule": float(envint("SHARING_SWEEP_INTERVAL", 60)),
    },
    # Re-enqueue the announcement (TAXII versions, matches) of a large ingest's chunks left
    # pending by a lost message or a killed worker.
    "sharing-sweep-announcements": {
        "task": "sharing.sweep_announcements",
        "schedule": float(envint("SHARING_SWEEP_INTERVAL", 60)),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agencies.authentication.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "agencies.providers.ProviderGatePermission",
        "agencies.authentication.KeyScopePermission",
        "common.permissions.BodyIsParsed",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "common.drf.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["common.throttles.ScopedWindowThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "common.drf.IdCursor",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CyberCoop API",
    "DESCRIPTION": "Cases, JITs, notices and indicator sharing between agencies. "
    "Authenticate with `Authorization: Bearer <key>`. Objects you may not see answer 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets named <Model><Field>Enum, else same-named fields of different apps collide.
    "ENUM_NAME_OVERRIDES": {
        "MembershipRoleEnum": "agencies.models.Membership.Role",
        "MembershipStatusEnum": "agencies.models.Membership.Status",
        "AgencyKindEnum": "agencies.models.Agency.Kind",
        "TLPEnum": "agencies.models.TLP",
        "HandlingCodeEnum": "agencies.models.HandlingCode",
        "CaseStatusEnum": "cases.models.Case.Status",
        "JITStatusEnum": "cases.models.JointInvestigationTeam.Status",
        "JITMemberStatusEnum": "cases.models.JITMembership.Status",
        "JITMemberRoleEnum": "cases.models.JITMembership.Role",
        "CustodyResultEnum": "cases.models.CustodyEvent.Result",
        "IndicatorTypeEnum": "sharing.models.IndicatorType",
        "PAPEnum": "sharing.models.PAP",
        "DeliveryStatusEnum": "sharing.models.Delivery.Status",
        "LookupResultEnum": "sharing.correlation_serializers.LOOKUP_RESULTS",
        "AccessRequestStatusEnum": "sharing.models.AccessRequestTarget.Status",
        "AssistanceKindEnum": "assistance.models.Kind",
        "AssistanceStatusEnum": "assistance.models.AssistanceRequest.Status",
        "AttachmentKindEnum": "assistance.models.RequestAttachment.Kind",
        "NotificationKindEnum": "notifications.models.Notification.Kind",
        "RefusalGroundsEnum": "assistance.models.RefusalGrounds",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Rate limits (common.throttles), per API key (else user, else address), in the shared cache;
# a refused call answers 429 with Retry-After. The lookup counts values, not calls.
THROTTLE_RATES = {
    "api_key_failures": env("THROTTLE_API_KEY_FAILURES", "20/min"),  # per address
    "lookup": env("THROTTLE_LOOKUP_VALUES", "100000/min"),
    "taxii": env("THROTTLE_TAXII", "600/min"),
    "stix_import": env("THROTTLE_STIX_IMPORT", "60/min"),
    "ingest": env("THROTTLE_INGEST", "60/min"),
}

# Transparency log: the checkpoint signing key (and the last signed checkpoint, beside it,
# as "<file>.last") live outside the database; the origin names the log in its checkpoints.
TRANSPARENCY_SIGNING_KEY_FILE = env(
    "TRANSPARENCY_SIGNING_KEY_FILE", str(BASE_DIR / "secrets" / "transparency-signing.key")
)
TRANSPARENCY_ORIGIN = env("TRANSPARENCY_ORIGIN", "cybercoop.localhost/log")

# CyberCoop
INVITATION_TTL = timedelta(days=envint("INVITATION_TTL_DAYS", 7))
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", 512 * 1024 * 1024)

# Assistance requests: hours from sending (preservation: from preserving) to the deadline, by
# "instrument:kind:urgency", "*" matching any; the most specific key wins (instrument first,
# then kind, then urgency). Preservation deadlines are the preservation period.
ASSISTANCE_DEADLINES: dict[str, int] = {
    # Regulation (EU) 2023/1543 Art. 10(2)/(4): 10 days; 8 hours in an emergency.
    "epoc:*:*": 10 * 24,
    "epoc:*:emergency": 8,
    # Regulation (EU) 2023/1543 Art. 11(1): preserve 60 days (extendable by 30).
    "epoc_pr:*:*": 60 * 24,
    # Budapest Convention Art. 29(7): preserved for at least 60 days.
    "budapest_29:*:*": 60 * 24,
    "*:preservation:*": 60 * 24,
    "*:*:emergency": 24,
    "*:*:urgent": 7 * 24,
    "*:*:*": 30 * 24,
}
# Hours added when a preservation is extended, by instrument ("*": any other).
ASSISTANCE_EXTENSIONS: dict[str, int] = {"epoc_pr": 30 * 24, "*": 60 * 24}
# Both sides are reminded this long before a deadline (and again once it has passed).
ASSISTANCE_REMINDER_BEFORE = timedelta(hours=envint("ASSISTANCE_REMINDER_HOURS", 48))

# Sharing: the outbox and its delivery worker, the SSRF guard, inbound ingest limits.
# Objects per webhook POST.
SHARING_DELIVERY_BATCH_SIZE = envint("SHARING_DELIVERY_BATCH_SIZE", 500)
# A share writes the deliveries of this many indicators in its own transaction, the rest in a
# task, chunk by chunk (sharing.outbox.fill_step), so its first pushes leave at once.
SHARING_OUTBOX_CHUNK = envint("SHARING_OUTBOX_CHUNK", 1000)
# Deliveries per delivery task: the worker claims them in one statement and builds each distinct
# message once for all of them (a share's endpoints that get the same objects).
SHARING_DELIVERIES_PER_TASK = envint("SHARING_DELIVERIES_PER_TASK", 20)
# Seconds to wait before attempt 2, 3, ...; the last value repeats up to SHARING_MAX_ATTEMPTS.
SHARING_RETRY_SCHEDULE = [
    float(x) for x in envlist("SHARING_RETRY_SCHEDULE", "10,60,300,1800,7200,21600")
]
SHARING_RETRY_JITTER = float(env("SHARING_RETRY_JITTER", "0.25"))
SHARING_MAX_ATTEMPTS = envint("SHARING_MAX_ATTEMPTS", 8)
SHARING_RETRY_AFTER_MAX = envint("SHARING_RETRY_AFTER_MAX", 86400)
SHARING_DELIVERY_TIMEOUT = float(env("SHARING_DELIVERY_TIMEOUT", "10"))
# A claimed delivery whose worker vanished is taken back after this many seconds.
SHARING_DELIVERY_LEASE = envint("SHARING_DELIVERY_LEASE", 60)
# The sweeper re-enqueues deliveries due for longer than this (lost messages).
SHARING_SWEEP_GRACE = envint("SHARING_SWEEP_GRACE", 120)
# Networks partner endpoints may resolve to despite the SSRF guard (loopback in development).
SHARING_ENDPOINT_ALLOWED_NETWORKS = envlist(
    "SHARING_ENDPOINT_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128" if DEBUG else ""
)
SHARING_INGEST_MAX_BYTES = envint("SHARING_INGEST_MAX_BYTES", 64 * 1024 * 1024)
SHARING_INGEST_MAX_ITEMS = envint("SHARING_INGEST_MAX_ITEMS", 200_000)
# An ingest that creates (or updates) more indicators than this announces them to their
# listeners (TAXII versions, correlation) after the commit, in chunks of INGEST_ANNOUNCE_CHUNK.
INGEST_ANNOUNCE_INLINE_MAX = envint("INGEST_ANNOUNCE_INLINE_MAX", 1000)
INGEST_ANNOUNCE_CHUNK = envint("INGEST_ANNOUNCE_CHUNK", 5000)
# A browser paste of at least this many lines runs as a Celery job with a progress page, in
# chunks of SHARING_BULK_CHUNK lines; its report stays in the cache SHARING_BULK_REPORT_DAYS.
SHARING_BULK_ASYNC_MIN_LINES = envint("SHARING_BULK_ASYNC_MIN_LINES", 500)
SHARING_BULK_CHUNK = envint("SHARING_BULK_CHUNK", 250)
SHARING_BULK_REPORT_DAYS = envint("SHARING_BULK_REPORT_DAYS", 7)
# A running job whose progress has not moved for this long (its worker died) reads as stopped.
SHARING_BULK_STALL_MINUTES = envint("SHARING_BULK_STALL_MINUTES", 15)
# A STIX bundle or MISP file imported in the browser with at least this many objects (events)
# runs as a Celery job, a bundle in chunks of INTEROP_IMPORT_CHUNK objects; smaller ones are
# imported within the request. Either way the report is kept as a paste's is.
INTEROP_IMPORT_ASYNC_MIN_OBJECTS = envint("INTEROP_IMPORT_ASYNC_MIN_OBJECTS", 500)
INTEROP_IMPORT_CHUNK = envint("INTEROP_IMPORT_CHUNK", 1000)

# TAXII 2.1 server (interop): page size cap, largest accepted POST, discovery contact.
TAXII_MAX_PAGE_SIZE = envint("TAXII_MAX_PAGE_SIZE", 10_000)
TAXII_MAX_CONTENT_LENGTH = envint("TAXII_MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
TAXII_CONTACT = env("TAXII_CONTACT", "operations@cybercoop.example")

# E-mail (invitations, password reset): SMTP when EMAIL_HOST is set, else the console.
EMAIL_HOST = env("EMAIL_HOST", "")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")  # or EMAIL_HOST_PASSWORD_FILE
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "cybercoop@localhost")
# The site's address for links in e-mails sent outside a request (the notification digest).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Content-Security-Policy on every response: everything from this origin, no inline script or
# style, no plugins, no framing. Templates carry no inline script; Swagger UI loads its init
# script as a file (SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Trust X-Forwarded-Proto (and the last X-Forwarded-For hop) only behind a proxy that sets
# them; otherwise a client could claim HTTPS or another address.
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Production hardening (applies whenever DEBUG is off).
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # plain-HTTP probes from inside the network
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
