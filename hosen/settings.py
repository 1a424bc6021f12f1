"""Hosen's one settings file: every knob is an environment variable with a safe default.

Development defaults (DEBUG on, SQLite, console e-mail) need nothing set; a production deployment
sets HOSEN_DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("HOSEN_DEBUG", True)
# The key: SECRET_KEY itself, else the file SECRET_KEY_FILE names (`make run` makes one on its first run, outside
# git: hosen/serve.py), else in development a fixed key that production refuses.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE", "")
if not SECRET_KEY and SECRET_KEY_FILE:
    try:
        SECRET_KEY = Path(SECRET_KEY_FILE).read_text().strip()
    except FileNotFoundError:
        raise RuntimeError(f"SECRET_KEY_FILE names {SECRET_KEY_FILE}, which does not exist") from None
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set (or SECRET_KEY_FILE name its file) when HOSEN_DEBUG is false")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_ratelimit",
    "hosen.accounts",
    "hosen.tenancy",
    "hosen.workmodel",
    "hosen.field",
    "hosen.resources",
    "hosen.initiatives",
    "hosen.plan",
    "hosen.situation",
    "hosen.partners",
    "hosen.ops",
    "hosen.integrity",
    "hosen.api",
    "ninja",  # the API reference page's own copy of Swagger UI (no CDN)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "hosen.accounts.middleware.UserLanguageMiddleware",
    # Network admins, coordinators and managers without two-step sign-in are asked to set it up, and held
    # there after their network's grace period; the admin site needs it (hosen/accounts/two_step.py).
    "hosen.accounts.two_step_middleware.TwoStepRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: resolves /a/<authority>/ once and runs the view inside that authority's scope.
    "hosen.tenancy.middleware.AuthorityMiddleware",
]

ROOT_URLCONF = "hosen.urls"
WSGI_APPLICATION = "hosen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hosen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hosen.tenancy.context_processors.authority",
            ],
        },
    },
]

# Widgets are drawn by the project's templates, so that hosen/templates/django/forms/widgets/attrs.html writes
# `maxlength` as `data-maxlength`: a browser cuts a pasted text at maxlength without a word, while the form's
# own check names the limit and the length typed (and hosen.js counts as one types).
INSTALLED_APPS += ["django.forms"]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # A connection is kept for a minute of requests; with health checks a kept connection is tried (SELECT 1)
    # before the first query of each request, so a restarted or failed-over server costs no request an error.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60),
                                                  conn_health_checks=envbool("DB_CONN_HEALTH_CHECKS", True))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Page queries are small; starting parallel workers costs more than it saves (the audit history's
        # UNION over every register took 14 ms in parallel against 2 ms without).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c max_parallel_workers_per_gather=0"
        # No server-side cursors: a queryset iterated only part-way (Django's Select reads just the first choice
        # of a ModelChoiceField to decide `required`) leaves its cursor open on the kept connection, and when the
        # garbage collector closes it during a later request, that request fails ("current transaction is
        # aborted") or waits on the connection's lock. Exports then read their rows in one fetch.
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    # SQLite's durability: with NORMAL in WAL mode a commit is written to the WAL but not flushed to the disk;
    # the WAL is flushed at each checkpoint (every 1,000 pages, about 40 new needs; the OS writes the rest out
    # within about 30 s). A crash of the app or a killed worker loses nothing committed and the database is
    # always consistent; only an OS crash or a power loss can lose the last commits. FULL flushes the WAL at
    # every commit, inside the one write lock that all writers share, so the flush's time is taken from every
    # writer: on the 2-core benchmark machine a commit took 0.5 ms with FULL against 0.15 ms when the disk was
    # quiet, and 14 ms when other programs were writing (a ceiling of about 70 writes a second); the write
    # benchmark made 82 writes/s with FULL against 91 with NORMAL under the same load. A deployment that cannot
    # lose the last seconds of writes on a power loss sets SQLITE_SYNCHRONOUS=FULL, or runs on PostgreSQL.
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()
    if SQLITE_SYNCHRONOUS not in {"NORMAL", "FULL"}:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {SQLITE_SYNCHRONOUS!r}")
    DATABASES = {
        "default": {
            # Django's SQLite backend with the writers of all processes queueing promptly for the write lock
            # instead of in SQLite's busy handler, which sleeps up to 100 ms between tries (hosen/dbtuning).
            # SQLITE_WRITE_QUEUE=false uses Django's own backend (say, where flock does not work).
            "ENGINE": "hosen.dbtuning" if envbool("SQLITE_WRITE_QUEUE", True) else "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "hosen.sqlite3")),
            # A connection is kept across requests: opening one (Django's SQL functions, the PRAGMAs below,
            # SQLite reading the schema of every table) took 2.5–4 ms CPU of every request.
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                # WAL lets readers and a writer work together; IMMEDIATE takes the write lock at BEGIN,
                # so two writers queue instead of failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                # Seconds a writer waits for its turn before "database is locked".
                "timeout": 20,
                "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS};",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits count in the cache, which every app process must share so that a limit holds across them:
# REDIS_URL points at a Redis they share; without one, production counts in the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
# django-ratelimit's W001 only means it does not list Django's own RedisCache, whose counters are atomic.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif DEBUG:
    # One development process: its own memory is the whole count.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
else:
    # A municipality's one machine (`make run`) has no Redis: the counters live in a table of the database that
    # every gunicorn worker already shares (`manage.py createcachetable` makes it; make run does). Its increment
    # is a read and a write, not atomic, so two requests counted at the same instant may count once: a limit
    # lets through at most a few more than it names (one per worker racing), never blocks anyone wrongly.
    # That is django-ratelimit's E003 here; a deployment that needs exact counts sets REDIS_URL.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hosen_cache"}}
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
RATELIMIT_VIEW = "hosen.public.rate_limited"
# The public token forms (quick reports, pulse answers): a generous limit for reading, a tighter one for
# sending, counted per IP and per token (see hosen/field/views_public.py).
RATELIMIT_PUBLIC_GET = os.environ.get("RATELIMIT_PUBLIC_GET", "300/10m")
RATELIMIT_PUBLIC_POST_IP = os.environ.get("RATELIMIT_PUBLIC_POST_IP", "20/10m")
RATELIMIT_PUBLIC_POST_TOKEN = os.environ.get("RATELIMIT_PUBLIC_POST_TOKEN", "60/10m")
# The API: requests per personal access token (or per signed-in person calling it from a page).
RATELIMIT_API = os.environ.get("RATELIMIT_API", "600/m")
# The client's address behind a proxy: the request header the proxy fills with it (e.g. HTTP_X_REAL_IP or
# HTTP_X_FORWARDED_FOR, whose right end — the address the proxy appended — is taken), else every visitor is
# the proxy. One reading for the sign-in lock-out, allauth's limits and the public forms: hosen/client_address.py.
# RATELIMIT_IP_META_KEY is its former name, still read.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER") or os.environ.get("RATELIMIT_IP_META_KEY", "")
# Proxies in a row that each append to X-Forwarded-For (the client is this many places from its right end).
CLIENT_IP_PROXY_COUNT = envint("CLIENT_IP_PROXY_COUNT", 1)
RATELIMIT_IP_META_KEY = "hosen.client_address.client_ip"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # allauth's, signing in only by the account's login address, never by one still waiting to be verified.
    "hosen.accounts.backends.LoginAddressBackend",
]
PASSWORD_HASHERS = [
    "hosen.accounts.hashers.HosenArgon2PasswordHasher",  # Argon2id sized for 2 cores: see hashers.py
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# allauth: e-mail is the login; accounts come only from invitations, never from open sign-up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# A sign-in address is proved: an invitee by opening the invitation's link; a new address on the e-mail page by
# opening the link e-mailed to it, and only then does it replace the login (hosen/accounts/email_change.py).
# "optional": signing in never waits for a verification (existing logins are recorded verified).
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
# Changing the address asks for the password again when the last sign-in is not recent: a session left open
# on a shared phone cannot move the account to another mailbox.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Each change to how one signs in (address, password, two-step sign-in) is told to the account's address — the old
# one when the address changed — so that someone who took over a session or a password is noticed by the owner.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# allauth's MFA otherwise refuses any unverified address on an account with two-step sign-in: a manager (who must
# have it) could never change her address, and a pending change would block setting two-step up. Its reason is an
# open sign-up left unverified; Hosen has none, and an unverified address here signs nobody in.
MFA_ALLOW_UNVERIFIED_EMAIL = True
ACCOUNT_ADAPTER = "hosen.accounts.adapter.InvitationOnlyAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False

# Two-step sign-in (allauth's MFA): an authenticator app's code (TOTP) with recovery codes, or a passkey.
# Who must have it, and the grace period each network sets, is hosen/accounts/two_step.py.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Hosen"
# A code is taken for one 30-second step either side of now: a code typed as its step ends, on a phone whose
# clock is a few seconds off, still signs in (RFC 6238 advises one step). A used code is refused the second time.
MFA_TOTP_TOLERANCE = 1
# A passkey is a second step after the password (not yet a sign-in by itself).
MFA_PASSKEY_LOGIN_ENABLED = False
# Passkeys need HTTPS, except on this machine while developing (http://localhost).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Recovery codes can be shown again from the two-step page (after the password is asked again).
MFA_RECOVERY_CODES_SHOW_ONCE = False

# Sign-in lock-out counts failed passwords per account, never per address alone: behind a proxy a country
# shares one address (hosen/accounts/lockout.py). An account is locked for an hour from one address after
# AXES_FAILURE_LIMIT failures from there, from everywhere after AXES_ACCOUNT_FAILURE_LIMIT in all; setting a
# new password through the e-mailed link lifts the lock.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 10)
AXES_ACCOUNT_FAILURE_LIMIT = envint("AXES_ACCOUNT_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "hosen.accounts.lockout.AccountLockoutHandler"
AXES_USERNAME_CALLABLE = "hosen.accounts.lockout.account_key"
AXES_USERNAME_FORM_FIELD = "login"
AXES_CLIENT_IP_CALLABLE = "hosen.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "hosen.accounts.lockout.locked_out"
# Tries while locked are refused and not counted: one address adds at most AXES_FAILURE_LIMIT to an account.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The owner's own typos before a successful sign-in are forgotten.
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)
# allauth's own sign-in limits. Its default counts every sign-in (30 a minute) and every failure (10 a minute)
# per address, which behind a proxy caps the whole country. Failures count per account and address instead
# (5 in 5 minutes: hosen/accounts/adapter.py; the same limit guards two-step codes, per account). Sign-ins
# themselves have no per-address ceiling: Hosen cannot tell a morning's crowd behind one address from a flood;
# the proxy, which sees each client, limits floods (README).
ACCOUNT_RATE_LIMITS = {"login": "", "login_failed": "5/5m/key"}

LANGUAGE_CODE = "he"
LANGUAGES = [("he", "עברית"), ("ar", "العربية"), ("en", "English")]
LANGUAGES_BIDI = ["he", "ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["hosen.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Jerusalem"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "hosen" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hosen@localhost")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production is served over TLS (HOSEN_TLS, on unless HOSEN_DEBUG): HTTPS redirect, secure cookies, HSTS, behind a
# proxy that terminates TLS and says so in X-Forwarded-Proto.
HOSEN_TLS = envbool("HOSEN_TLS", not DEBUG)
if HOSEN_TLS:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
elif not DEBUG:
    # HOSEN_TLS=false: production mode served over plain HTTP to a browser on this same machine (`make run` until
    # a TLS host name is configured). There a Secure cookie would never be sent back and a redirect would lead to an
    # https:// that nothing answers, so sign-in needs these four off, and nothing crosses a network to be read.
    # Allowed only when every host name Hosen answers is this machine's own; Django's warnings about the four
    # (no HSTS, no HTTPS redirect, session and CSRF cookies not Secure) are silenced for this mode alone.
    THIS_MACHINE = {"127.0.0.1", "localhost", "[::1]", "testserver"}
    if not set(ALLOWED_HOSTS) <= THIS_MACHINE:
        raise RuntimeError(
            "HOSEN_TLS=false serves plain HTTP, which is for this machine only: ALLOWED_HOSTS may name only "
            f"127.0.0.1, localhost or [::1], not {', '.join(sorted(set(ALLOWED_HOSTS) - THIS_MACHINE))}. "
            "Serve other host names over TLS (see README).")
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]

# No inline scripts or styles anywhere: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        # No plugins (<object>, <embed>) from anywhere: default-src 'self' alone would still allow them from here.
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
