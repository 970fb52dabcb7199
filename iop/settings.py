"""Settings, read from the environment.

``IOP_ENV`` picks the profile:

* ``production`` (default) — every secret must come from the environment,
  HTTPS-only cookies, HSTS, SSL redirect, CSP.
* ``demo`` — a single-machine demo: SQLite under ``var/``, tasks in-process,
  email to the console, a generated secret key kept in ``var/``.
* ``test`` — like demo, for the test suite (PostgreSQL via ``DATABASE_URL``).

Bad values fail loudly at start-up with ``ImproperlyConfigured``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from iop.proxy import parse_networks
from iop.sso_config import allauth_providers, form_action_origins, parse_issuers

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("IOP_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENTS = ("production", "demo", "test")
IOP_ENV = os.environ.get("IOP_ENV", "production").strip().lower()
if IOP_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(f"IOP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {IOP_ENV!r}.")
PRODUCTION = IOP_ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _demo_secret_key() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Off in the demo too: people trying it get the same pages as a school (a
# Norwegian 404, no list of URL patterns); DEBUG=true shows Django's own.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set (or run with IOP_ENV=demo).")
    SECRET_KEY = _demo_secret_key() if IOP_ENV == "demo" else "test-only-" + "x" * 50
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the site is served on.")
if "*" in ALLOWED_HOSTS and PRODUCTION:
    raise ImproperlyConfigured("ALLOWED_HOSTS='*' is not allowed in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks); see iop/proxy.py.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
parse_networks(TRUSTED_PROXIES)  # fails loudly on a value that is not an address or network

INSTALLED_APPS = [
    "iop.admin_site.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.postgres",
    "guardian",
    "students.third_party.AxesConfig",  # django-axes, its name translated
    "django_htmx",
    "csp",
    "simple_history",
    "students",
    "curriculum",
    "iop",
    "iop.reports",
    "iop.atgardsprogram",
    "followup",
    "followup.kpi",
    # django-allauth: the OpenID Connect protocol for single sign-on (students/sso.py).
    # Last, so that its catalogs never override our apps' translations ("Note").
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "iop.proxy.TrustedProxyMiddleware",
    "iop.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "students.middleware.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "students.middleware.HtmxLoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "students.middleware.ReadOnlyUsersMiddleware",
    "students.middleware.SchoolLanguageMiddleware",
    "students.middleware.MethodNotAllowedPageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "iop.urls"
WSGI_APPLICATION = "iop.wsgi.application"

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
                "django.template.context_processors.i18n",
                "students.context_processors.navigation",
            ],
        },
    },
]

# The project's widget templates; text areas and inputs written in Python (iop/renderers.py).
FORM_RENDERER = "iop.renderers.FastTemplatesSetting"

# --- Database -------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'iop.sqlite3'}"
_database_url = os.environ.get("DATABASE_URL", "")
if not _database_url:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set in production (postgres://user:pass@host:5432/db).")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database_url = _default_db
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The demo's SQLite: a writer takes the lock when its transaction starts and
    # others wait for it (up to 20 s) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES and env_bool("DB_PREPARED_STATEMENTS", True):
    # The access layer's queries name the visible pupils in subqueries that
    # take PostgreSQL longer to plan than to run. With the values bound on the
    # server, a query a connection has run DB_PREPARE_AFTER times is prepared
    # and its plan reused (the data is read afresh every time). Turn off behind
    # a pooler in transaction mode that does not keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=env_int("DB_PREPARE_AFTER", 2)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches: each process keeps its own in memory. ``fragments`` holds rendered
# pieces of pages keyed by a digest of everything they show (iop.fragments),
# so an entry can never be shown for other data than it was rendered from.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 4000},
    },
}

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "students.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Session expiry after inactivity (seconds). A request renews it only when
# more than SESSION_REFRESH_AFTER seconds have passed since the last renewal
# (students.middleware.SessionRefreshMiddleware), so reading pages does not
# write the session each time; expired sessions are deleted every night.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 60 * 60)
SESSION_REFRESH_AFTER = max(1, SESSION_COOKIE_AGE // 12)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: lock an account + address after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# --- Single sign-on (OpenID Connect) ----------------------------------------------
# The issuers (Feide, ID-porten, a municipality's IdP …) as a JSON list; see
# iop/sso_config.py and the README. django-allauth speaks the protocol;
# students/sso.py decides who the person is, and nobody unknown gets an account.
OIDC_PROVIDERS = parse_issuers(os.environ.get("OIDC_PROVIDERS", ""))
SOCIALACCOUNT_PROVIDERS = allauth_providers(OIDC_PROVIDERS)
SOCIALACCOUNT_ADAPTER = "students.sso.SocialAccountAdapter"
ACCOUNT_ADAPTER = "students.sso.AccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "sso"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# The national identity number an issuer vouches for (ID-porten's "pid") is
# kept only as HMAC-SHA256 under this key (on the guardian link). Changing it
# makes every stored hash useless: set it once. Without it (demo, tests) a key
# derived from SECRET_KEY is used; production requires it when an issuer signs
# in guardians.
NATIONAL_ID_HASH_KEY = os.environ.get("NATIONAL_ID_HASH_KEY", "")
if not NATIONAL_ID_HASH_KEY:
    if PRODUCTION and any(issuer.for_guardians for issuer in OIDC_PROVIDERS):
        raise ImproperlyConfigured("NATIONAL_ID_HASH_KEY must be set when an OIDC issuer signs in guardians.")
    NATIONAL_ID_HASH_KEY = "national-id:" + SECRET_KEY
elif PRODUCTION and len(NATIONAL_ID_HASH_KEY) < 32:
    raise ImproperlyConfigured("NATIONAL_ID_HASH_KEY must be at least 32 characters in production.")
# Password login: on for everyone (the demo, a school without single sign-on),
# or, with PASSWORD_LOGIN=false, only for superusers (the operators, who also
# run the admin site); everyone else signs in through an issuer above.
PASSWORD_LOGIN = env_bool("PASSWORD_LOGIN", True)

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- I18n -----------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("sv", "Svenska"), ("en", "English")]
# The pages before login speak the language last used in the browser
# (students.middleware.SchoolLanguageMiddleware): remembered for a year.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats per language beside Django's own: the names templates use
# besides Django's (MEDIUM_DATE_FORMAT ...) are defined for every language above.
FORMAT_MODULE_PATH = ["iop.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Oslo")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Stored files (finalised report PDFs, batch ZIPs) are confidential: owner and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "iop@localhost")

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process that has grown past this many KiB (a long PDF or ZIP) is
# replaced after its current task, so memory is given back.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_KB", 300_000)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS", 200)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # followup: reminders (claims due rows; safe if two beats run) and the nightly deadline regeneration.
    "followup-sweep": {"task": "followup.sweep", "schedule": env_int("FOLLOWUP_SWEEP_SECONDS", 300)},
    "followup-generate": {"task": "followup.generate_all_deadlines", "schedule": crontab(hour=2, minute=30)},
    # reports: large PDFs made on a worker are deleted a day after they were asked for.
    "reports-prune-pdf-jobs": {"task": "reports.prune_pdf_jobs", "schedule": crontab(minute=17)},
    # students: expired sessions are deleted (Django keeps them otherwise).
    "students-clear-sessions": {"task": "students.clear_sessions", "schedule": crontab(hour=3, minute=41)},
    # iop: the access log and the edit history older than RETENTION_* are pruned (iop/retention.py).
    "iop-retention": {
        "task": "iop.apply_retention",
        "schedule": crontab(hour=4, minute=23),
        "options": {"expires": 6 * 60 * 60},
    },
}

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# htmx gets a short 403 with a fresh token (the page sends the save again); pages a translated one.
CSRF_FAILURE_VIEW = "students.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Signing in and out through an issuer redirects a posted form there.
        "form-action": ["'self'", *form_action_origins(OIDC_PROVIDERS)],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# A trial over plain HTTP (no TLS yet): no redirect, no HSTS, cookies without
# "Secure"; check --deploy warns (iop.W002). Never with real pupils' data.
ALLOW_PLAIN_HTTP = env_bool("ALLOW_PLAIN_HTTP", False)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not ALLOW_PLAIN_HTTP)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if ALLOW_PLAIN_HTTP else 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = not ALLOW_PLAIN_HTTP
    SECURE_HSTS_PRELOAD = not ALLOW_PLAIN_HTTP
    SESSION_COOKIE_SECURE = not ALLOW_PLAIN_HTTP
    CSRF_COOKIE_SECURE = not ALLOW_PLAIN_HTTP

# --- Logging ------------------------------------------------------------------
# One line per record on standard error: time (ISO 8601 with the offset),
# level, logger, request id, message; LOG_FORMAT=json for one JSON object per
# line. Web, worker and beat use the same set-up (see iop/logging.py).
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in LOG_LEVELS:
    raise ImproperlyConfigured(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {LOG_LEVEL!r}.")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "iop.logging.RequestIdFilter"},
        "refusal": {"()": "iop.logging.RefusalWithoutTraceback"},
    },
    "formatters": {
        "text": {"()": "iop.logging.TextFormatter"},
        "json": {"()": "iop.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
            "level": LOG_LEVEL,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (plain console lines in DEBUG, runserver's) give way to the one above.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": [], "filters": ["refusal"], "propagate": True},  # a 403 is one line
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Celery's success line carries the task's return value; iop/celery.py
        # logs the task's name, id and run time instead.
        "celery.app.trace": {"level": "WARNING"},
    },
}

# Product settings
IOP_SITE_NAME = _("IOP and IUP")

# Who must consent to the decision on individually adapted teaching for a pupil
# under 15: "one" guardian with parental responsibility, or "all" of them
# (opplæringslova chapter 11). A pupil aged 15 or more consents on their own.
IOP_VEDTAK_CONSENT = os.environ.get("IOP_VEDTAK_CONSENT", "one").strip().lower()
if IOP_VEDTAK_CONSENT not in ("one", "all"):
    raise ImproperlyConfigured('IOP_VEDTAK_CONSENT must be "one" or "all".')

# Sections other apps add to the pupil page and the home page (see students/sections.py).
PUPIL_PAGE_SECTIONS: list[str] = [
    "iop.reports.sections.pupil_archive_export",
    "iop.sections.pupil_plans",
    "iop.sections.pupil_iups",
    "iop.atgardsprogram.sections.pupil_support",
    "iop.reports.sections.pupil_reports",
    "followup.sections.pupil_section",
    "iop.reports.sections.pupil_file",
    "iop.sections.pupil_guardian_links",
]
# Their counts about the pupil, read in the pupil page's own query (students.sections.pupil_page_annotations).
PUPIL_PAGE_ANNOTATIONS: list[str] = ["followup.sections.pupil_counts"]
HOME_SECTIONS: list[str] = ["followup.sections.home_section"]
# The parts of a pupil's whole file for innsyn (see students/pupil_file.py), in this order.
PUPIL_FILE_PARTS: list[str] = [
    "followup.pupil_file.parts",
    "iop.pupil_file.chain",
    "iop.atgardsprogram.pupil_file.parts",
    "iop.pupil_file.plans",
    "iop.pupil_file.versions",
    "iop.pupil_file.access_log",
]
# Writes an access-log entry for reads that ``students`` serves (see students/audit.py).
ACCESS_LOG_WRITER = "iop.services.log_read"
# Callables (no arguments) that add each app's demo records after students.demo.
DEMO_BUILDERS: list[str] = [
    "curriculum.demo.create",
    "iop.demo.create",
    "iop.demo_iup.create",
    "iop.reports.demo.create",
    "followup.demo.create",
    "iop.atgardsprogram.demo.create",
    "followup.demo_atgardsprogram.create",
]
# Extra menu entries: (url name, label, audience "all" | "staff" | "coordinator" | "chain_coordinator"
# (a coordinator at a school with the Norwegian chain) | "guardian").
NAV_ITEMS: list[tuple[str, object, str]] = [
    ("iop:overview", _("Individually adapted teaching"), "chain_coordinator"),
    ("iop:iup_list", _("IUP"), "staff"),
    ("iop:iup_settings", _("IUP form"), "coordinator"),
    ("reports:batch_list", _("Reports"), "chain_coordinator"),
    ("followup:dashboard", _("Deadlines"), "staff"),
    ("followup:pipeline", _("Pupils in the chain"), "chain_coordinator"),
    ("followup:tilsyn", _("Tilsyn check"), "chain_coordinator"),
    ("followup:meeting_list", _("Follow-up meetings"), "staff"),
    ("followup:aarshjul", _("Årshjul"), "coordinator"),
    ("kpi:key_figures", _("Key figures"), "coordinator"),
    ("kpi:term_talks", _("Talks this term"), "staff"),
    ("followup:notifications", _("Notifications"), "guardian"),
    ("roster_imports", _("Roster import"), "operator"),
    ("school_years", _("School years"), "operator"),
    ("followup:aarshjul_choices", _("Årshjul per school"), "operator"),
]
# Menu entries that stay in the header when not all fit (the rest go under "More").
NAV_PRIMARY: list[str] = ["iop:overview", "followup:dashboard", "followup:aarshjul"]
# A guardian's menu entries per child: (url name taking the pupil's id, label).
GUARDIAN_CHILD_NAV_ITEMS: list[tuple[str, object]] = [("iop:access_log", _("Who has read"))]
# The user's own settings (their language, e-mails, calendar), linked beside
# their name in the header for staff and guardians.
OWN_SETTINGS_URL_NAME = "followup:preferences"

# --- Follow-up (followup app) --------------------------------------------------
FOLLOWUP_REMINDER_HOUR = env_int("FOLLOWUP_REMINDER_HOUR", 7)  # local time reminders go out
FOLLOWUP_DIGEST_HOUR = env_int("FOLLOWUP_DIGEST_HOUR", 7)
FOLLOWUP_ESCALATE_AFTER_DAYS = env_int("FOLLOWUP_ESCALATE_AFTER_DAYS", 1)
# A claimed notification is taken again only after this lease, which must
# exceed the send task's hard time limit (90 s): by then its worker is gone.
FOLLOWUP_CLAIM_LEASE_SECONDS = env_int("FOLLOWUP_CLAIM_LEASE_SECONDS", 600)
FOLLOWUP_MAX_ATTEMPTS = env_int("FOLLOWUP_MAX_ATTEMPTS", 5)
# The address users reach the site on, for links in e-mails (required in
# production: ``check --deploy`` fails without it, see iop/deploy_checks.py).
SITE_URL = os.environ.get("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").strip().rstrip("/")
FOLLOWUP_SITE_URL = SITE_URL
# Talks per pupil and school year: (from year level, to year level, at least).
FOLLOWUP_TALK_TARGETS = [(5, 10, env_int("FOLLOWUP_TALK_TARGET", 4))]

# --- Archive and retention ------------------------------------------------------
# Records that document a pupil's rights (sakkyndig vurdering, enkeltvedtak,
# IOP, IUP, reports, PPT referrals) protect their pupil from deletion: a pupil
# who leaves is archived (students.services.pupil_archive). How long they are
# kept is decided by the archive law and the school owner's retention plan
# (bevaringsplan); the periods below record that decision in years, 0 meaning
# "kept for good". The records' periods count from when the pupil was archived;
# nothing deletes by them yet. The access log's and the edit history's count
# from the entry and are applied nightly (iop/retention.py, beat "iop-retention").
RETENTION_PUPIL_RECORDS_YEARS = env_int("RETENTION_PUPIL_RECORDS_YEARS", 0)
RETENTION_ACCESS_LOG_YEARS = env_int("RETENTION_ACCESS_LOG_YEARS", 0)
RETENTION_FOLLOWUP_YEARS = env_int("RETENTION_FOLLOWUP_YEARS", 0)
RETENTION_HISTORY_YEARS = env_int("RETENTION_HISTORY_YEARS", 0)
for _name in (
    "RETENTION_PUPIL_RECORDS_YEARS",
    "RETENTION_ACCESS_LOG_YEARS",
    "RETENTION_FOLLOWUP_YEARS",
    "RETENTION_HISTORY_YEARS",
):
    if globals()[_name] < 0:
        raise ImproperlyConfigured(f"{_name} must be 0 (kept for good) or a number of years, not {globals()[_name]}.")
# One user's consecutive saves of one record within this many minutes of the
# first of them are one history entry (iop/collapse.py); 0 keeps every save.
HISTORY_COLLAPSE_MINUTES = env_int("HISTORY_COLLAPSE_MINUTES", 5)
if HISTORY_COLLAPSE_MINUTES < 0:
    raise ImproperlyConfigured(f"HISTORY_COLLAPSE_MINUTES must be 0 or more, not {HISTORY_COLLAPSE_MINUTES}.")
