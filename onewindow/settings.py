"""Settings, read from the environment with safe production defaults.

Every knob is an environment variable documented in docs/deploy.md. Nothing here is insecure unless an
operator says so: DEBUG is off, HTTPS-only cookies and HSTS are on, and the secret key is either given or
generated once and kept (mode 0600) in the data directory.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ONEWINDOW_DATA_DIR", Path.cwd() / "var")).resolve()
# The data directory holds the database, uploads and keys: its owner only (0700), whatever the umask.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if DATA_DIR.stat().st_uid == os.getuid():
    DATA_DIR.chmod(0o700)

DEBUG = env_bool("DEBUG", False)
# Off only for the plain-HTTP quick start on 127.0.0.1; production sits behind TLS.
HTTPS = env_bool("ONEWINDOW_HTTPS", True)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _data_keys() -> tuple[list[tuple[str, bytes]], bytes]:
    """Keys for personal data at rest (core.crypto): ``ONEWINDOW_DATA_KEYS="k2:<base64>,k1:<base64>"`` (the
    first encrypts, all decrypt) and ``ONEWINDOW_LOOKUP_KEY=<base64>``. Without them (quick start) one key
    pair is generated once into the data directory, readable only by its owner."""
    ring_text, lookup_text = os.environ.get("ONEWINDOW_DATA_KEYS"), os.environ.get("ONEWINDOW_LOOKUP_KEY")
    if not (ring_text and lookup_text):
        key_file = DATA_DIR / "data_keys"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(f"local1:{base64.b64encode(secrets.token_bytes(16)).decode()}\n")
                handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        ring_text, lookup_text = key_file.read_text().split()
    ring = []
    for entry in ring_text.split(","):
        kid, _, encoded = entry.strip().partition(":")
        key = base64.b64decode(encoded)
        if len(key) != 16:
            raise ImproperlyConfigured(f"ONEWINDOW_DATA_KEYS: key {kid!r} must be 16 bytes (SM4), base64")
        ring.append((kid, key))
    return ring, base64.b64decode(lookup_text)


ONEWINDOW_DATA_KEYS, ONEWINDOW_LOOKUP_KEY = _data_keys()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "oauth2_provider",
    # django-ninja's own Swagger UI and Redoc files, served from our origin (the CSP allows no CDN).
    "ninja",
    "onewindow.core",
    "onewindow.accounts",
    "onewindow.identity",
    "onewindow.organisations",
    "onewindow.workdays",
    "onewindow.catalogue",
    "onewindow.halls",
    "onewindow.ratings",
    "onewindow.cases",
    "onewindow.queueing",
    "onewindow.workflow",
    "onewindow.appointments",
    "onewindow.licences",
    "onewindow.secmon",
    "onewindow.assist",
    "onewindow.hotline",
    "onewindow.consult",
    "onewindow.sharing",
    "onewindow.webhooks",
    "onewindow.payments",
    "onewindow.delivery",
    "onewindow.opendata",
    "onewindow.proactive",
    "onewindow.supervision",
    "onewindow.analytics",
    "onewindow.portal",
    "onewindow.workbench",
    "onewindow.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onewindow.core.resilience.ResilienceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onewindow.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A blank 405 from a POST-only view becomes a Chinese page (needs the user, for the layout's menu).
    "onewindow.portal.error_views.MethodNotAllowedPageMiddleware",
    # Whole public pages for anonymous visitors (guide, search, home): after the CSRF and auth middlewares,
    # before everything that only concerns sessions and signed-in people (catalogue.public_pages).
    "onewindow.catalogue.public_pages.PublicPageCacheMiddleware",
    # Outside the staff-area and write-rate refusals, so those count as security events too.
    "onewindow.secmon.middleware.RefusalMonitorMiddleware",
    "onewindow.core.input_middleware.UnencodableInputMiddleware",
    "onewindow.core.write_rate_middleware.AccountWriteRateMiddleware",
    "onewindow.core.access.StaffAreaMiddleware",
    "onewindow.identity.middleware.ActingForMiddleware",
    "onewindow.identity.session_middleware.SessionActivityMiddleware",
    "onewindow.assist.middleware.KioskIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "onewindow.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        # Django's engine, whose pages never fail on a stored lone surrogate (core.templating).
        "BACKEND": "onewindow.core.templating.RobustDjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "onewindow.core.context_processors.site",
                "onewindow.workbench.context_processors.staff_access",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'onewindow.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Held 300+ writes/s with concurrent writers on these machines (docs/development.md). A persistent
    # connection would pin the WAL; SQLite opens cheaply.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"].setdefault("TEST", {"NAME": str(DATA_DIR / "test.sqlite3")})
    # Created empty (a valid SQLite database) with mode 0600 before SQLite opens it; SQLite gives its -wal and
    # -shm files the database file's mode.
    if (sqlite_name := str(DATABASES["default"]["NAME"])) and not sqlite_name.startswith(":"):
        with contextlib.suppress(FileExistsError, FileNotFoundError):
            os.close(os.open(sqlite_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))

# --- Cache (rate limits, sessions stay in the database) -------------------------------------------------
CACHES: dict[str, dict[str, Any]]
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
else:
    # Shared by every process on one machine, which the quick start (gunicorn workers) needs for rate limits.
    # Django culls a third of the entries, at random, whenever there are more than MAX_ENTRIES (300 by default):
    # the demo's public pages alone pass that, and each cull could drop a sign-in counter (a rate limit
    # evaded by browsing) or the publication generation (every cached page invalidated at once).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# --- Background work ------------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if env_bool("ONEWINDOW_TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Authentication -------------------------------------------------------------------------------------
# Argon2id first (new and upgraded hashes); the others only verify hashes made before a switch.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "portal:home"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Internationalisation -------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Applicants' materials are personal data: readable by the platform's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Security -------------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = HTTPS and env_bool("ONEWINDOW_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("ONEWINDOW_BEHIND_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "onewindow.portal.error_views.csrf_failure"
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- onewindow ------------------------------------------------------------------------------------------
ONEWINDOW_SITE_NAME = os.environ.get("ONEWINDOW_SITE_NAME", "一网通办 政务服务平台")
# Where the platform is reached from outside: the base of the IRIs in the CPSV-AP export.
ONEWINDOW_PUBLIC_BASE_URL = os.environ.get("ONEWINDOW_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Public look-ups (calendar, departments) and logins: requests per window per client address.
ONEWINDOW_RATE_LIMITS = {
    "login": (10, 15 * 60),
    "sms_send": (5, 60 * 60),
    "sms_verify": (10, 15 * 60),
    "register": (10, 60 * 60),
    "identity_verify": (10, 60 * 60),
    # "请给我回电话" requests from the elderly mode (onewindow.assist), per client address.
    "callback_request": (5, 60 * 60),
    "public_lookup": (int(os.environ.get("ONEWINDOW_PUBLIC_LOOKUP_PER_MINUTE", "120")), 60),
    # Writes by one signed-in account (drafts, uploads, submissions …) per minute: core.write_rate_middleware.
    "account_write": (int(os.environ.get("ONEWINDOW_ACCOUNT_WRITES_PER_MINUTE", "60")), 60),
    # Queue tickets taken from one address (a hall's kiosk takes them all: keep it above a busy hour's).
    "queue_ticket": (int(os.environ.get("ONEWINDOW_QUEUE_TICKETS_PER_HOUR", "600")), 60 * 60),
}
# Application forms: the largest serialized form (bytes, UTF-8 JSON), and the longest text and list a field
# may hold when its JSON Schema sets no maxLength / maxItems.
ONEWINDOW_FORM_MAX_BYTES = int(os.environ.get("ONEWINDOW_FORM_MAX_BYTES", str(64 * 1024)))
ONEWINDOW_FORM_FIELD_MAX_LENGTH = int(os.environ.get("ONEWINDOW_FORM_FIELD_MAX_LENGTH", "2000"))
ONEWINDOW_FORM_FIELD_MAX_ITEMS = int(os.environ.get("ONEWINDOW_FORM_FIELD_MAX_ITEMS", "100"))
# Account lockout: this many wrong passwords or codes in a row lock the account for this many minutes.
ONEWINDOW_LOCKOUT_THRESHOLD = int(os.environ.get("ONEWINDOW_LOCKOUT_THRESHOLD", "5"))
ONEWINDOW_LOCKOUT_MINUTES = int(os.environ.get("ONEWINDOW_LOCKOUT_MINUTES", "15"))
# Staff must confirm each sign-in with a TOTP code (RFC 6238) from an authenticator app.
ONEWINDOW_STAFF_TOTP_REQUIRED = env_bool("ONEWINDOW_STAFF_TOTP_REQUIRED", True)
# The sandbox plug-ins show one-time codes on screen; never true in production (check --deploy warns).
ONEWINDOW_SANDBOX = env_bool("ONEWINDOW_SANDBOX", False)
# A staging system may run with the sandbox plug-ins without showing codes; check --deploy warns otherwise.
ONEWINDOW_ALLOW_SANDBOX_PLUGINS = env_bool("ONEWINDOW_ALLOW_SANDBOX_PLUGINS", False)
ONEWINDOW_PLUGINS: dict[str, str | dict[str, object]] = {
    "sms": os.environ.get("ONEWINDOW_SMS_GATEWAY", "onewindow.identity.sms.SandboxSmsGateway"),
    "identity_verifier": os.environ.get(
        "ONEWINDOW_IDENTITY_VERIFIER", "onewindow.identity.verifiers.SandboxIdentityVerifier"
    ),
    "company_registry": os.environ.get(
        "ONEWINDOW_COMPANY_REGISTRY", "onewindow.identity.verifiers.SandboxCompanyRegistry"
    ),
    "virus_scanner": os.environ.get(
        "ONEWINDOW_VIRUS_SCANNER", "onewindow.cases.scanners.SandboxVirusScanner"
    ),
    "id_card_reader": os.environ.get(
        "ONEWINDOW_ID_CARD_READER", "onewindow.identity.card_readers.SandboxIdCardReader"
    ),
    # How webhook deliveries leave: the sandbox answers 200 and sends nothing (the quick start).
    "webhook_transport": os.environ.get(
        "ONEWINDOW_WEBHOOK_TRANSPORT", "onewindow.webhooks.transports.SandboxWebhookTransport"
    ),
}
# Webhooks: a receiver gets this long to answer; a failed delivery is retried after base, 2×base, 4×base …
# seconds (at most max between tries) up to max_attempts times — with the defaults, for about 15 hours. A
# worker's send holds a delivery for the lease; if it dies, the delivery is due again when the lease ends.
ONEWINDOW_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("ONEWINDOW_WEBHOOK_TIMEOUT_SECONDS", "10"))
ONEWINDOW_WEBHOOK_RETRY_BASE_SECONDS = int(os.environ.get("ONEWINDOW_WEBHOOK_RETRY_BASE_SECONDS", "30"))
ONEWINDOW_WEBHOOK_RETRY_MAX_SECONDS = int(os.environ.get("ONEWINDOW_WEBHOOK_RETRY_MAX_SECONDS", "3600"))
ONEWINDOW_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("ONEWINDOW_WEBHOOK_MAX_ATTEMPTS", "20"))
ONEWINDOW_WEBHOOK_SEND_LEASE_SECONDS = int(os.environ.get("ONEWINDOW_WEBHOOK_SEND_LEASE_SECONDS", "120"))
# A queued send holds its delivery this long: the every-minute job does not queue it again meanwhile, however
# far behind the workers are; a send lost from the queue is queued again once the lease ends.
ONEWINDOW_WEBHOOK_QUEUE_LEASE_SECONDS = int(os.environ.get("ONEWINDOW_WEBHOOK_QUEUE_LEASE_SECONDS", "900"))
# Payments (docs/deploy.md): the sandbox provider unless WeChat Pay's merchant settings are given. Secrets come
# from the environment or from files (mounted secrets): the APIv3 key as ONEWINDOW_WECHATPAY_APIV3_KEY or
# ..._APIV3_KEY_FILE, the merchant's private key and the platform certificate as PEM file paths.
ONEWINDOW_PLUGINS["payment_provider"] = "onewindow.payments.providers.SandboxPaymentProvider"
if os.environ.get("ONEWINDOW_WECHATPAY_MCHID"):
    ONEWINDOW_PLUGINS["payment_provider"] = {
        "class": "onewindow.payments.providers.WeChatPayProvider",
        "options": {
            "merchant_id": os.environ["ONEWINDOW_WECHATPAY_MCHID"],
            "app_id": os.environ["ONEWINDOW_WECHATPAY_APPID"],
            "merchant_serial": os.environ["ONEWINDOW_WECHATPAY_SERIAL"],
            "merchant_key_path": os.environ["ONEWINDOW_WECHATPAY_KEY_FILE"],
            "platform_cert_path": os.environ["ONEWINDOW_WECHATPAY_PLATFORM_CERT_FILE"],
            "apiv3_key": os.environ.get("ONEWINDOW_WECHATPAY_APIV3_KEY", ""),
            "apiv3_key_path": os.environ.get("ONEWINDOW_WECHATPAY_APIV3_KEY_FILE", ""),
            "notify_url": os.environ["ONEWINDOW_WECHATPAY_NOTIFY_URL"],
        },
    }
# Postal delivery: the sandbox courier unless 快递100's account is given (docs/deploy.md).
ONEWINDOW_PLUGINS["courier"] = "onewindow.delivery.couriers.SandboxCourier"
if os.environ.get("ONEWINDOW_KUAIDI100_KEY"):
    ONEWINDOW_PLUGINS["courier"] = {
        "class": "onewindow.delivery.couriers.Kuaidi100Courier",
        "options": {
            "key": os.environ["ONEWINDOW_KUAIDI100_KEY"],
            "secret": os.environ["ONEWINDOW_KUAIDI100_SECRET"],
            "salt": os.environ["ONEWINDOW_KUAIDI100_SALT"],
            "company": os.environ.get("ONEWINDOW_KUAIDI100_COMPANY", "ems"),
            "callback_url": os.environ["ONEWINDOW_KUAIDI100_CALLBACK_URL"],
        },
    }
# 票据代码 of the platform's 财政电子票据 (issued by the finance bureau to the collecting authority).
ONEWINDOW_RECEIPT_CODE = os.environ.get("ONEWINDOW_RECEIPT_CODE", "35010126")
# Uploaded materials: the largest file accepted; how long (working days) a correction may take before the
# case is withdrawn (退件).
ONEWINDOW_UPLOAD_MAX_BYTES = int(os.environ.get("ONEWINDOW_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
ONEWINDOW_CORRECTION_PERIOD_DAYS = int(os.environ.get("ONEWINDOW_CORRECTION_PERIOD_DAYS", "20"))
# Notifications: how often an SMS or e-mail is tried before it is given up (cases.notifications).
ONEWINDOW_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("ONEWINDOW_NOTIFY_MAX_ATTEMPTS", "5"))
# E-mail to applicants: the console backend prints them (quick start); production sets SMTP (docs/deploy.md).
EMAIL_BACKEND = os.environ.get("ONEWINDOW_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("ONEWINDOW_EMAIL_FROM", "noreply@localhost")
EMAIL_HOST = os.environ.get("ONEWINDOW_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ONEWINDOW_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ONEWINDOW_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ONEWINDOW_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ONEWINDOW_EMAIL_TLS", False)
if os.environ.get("ONEWINDOW_SMS_GATEWAY_URL"):
    ONEWINDOW_PLUGINS["sms"] = {
        "class": "onewindow.identity.sms.HttpSmsGateway",
        "options": {
            "url": os.environ["ONEWINDOW_SMS_GATEWAY_URL"],
            "token": os.environ.get("ONEWINDOW_SMS_GATEWAY_TOKEN", ""),
            "sign_name": os.environ.get("ONEWINDOW_SMS_SIGN_NAME", "一网通办"),
        },
    }

if os.environ.get("ONEWINDOW_ID_CARD_READER_URL"):
    ONEWINDOW_PLUGINS["id_card_reader"] = {
        "class": "onewindow.identity.card_readers.HttpIdCardReader",
        "options": {
            "url": os.environ["ONEWINDOW_ID_CARD_READER_URL"],
            "token": os.environ.get("ONEWINDOW_ID_CARD_READER_TOKEN", ""),
        },
    }
# Self-service machines (/kiosk/): a signed-in kiosk session ends after this many idle seconds, on the
# server and in the browser (国办发〔2020〕45号 asks for automatic sign-out on shared machines).
ONEWINDOW_KIOSK_IDLE_SECONDS = int(os.environ.get("ONEWINDOW_KIOSK_IDLE_SECONDS", "120"))

# How long a scheduler's lease lasts without a heartbeat before another machine may take over.
ONEWINDOW_SCHEDULER_LEASE_SECONDS = 60
# A task RUNNING longer than the lease whose worker stopped heartbeating is put back in the queue
# (core.queue.task_results_reap), at most ONEWINDOW_TASK_MAX_ATTEMPTS times in all, then marked FAILED.
ONEWINDOW_TASK_LEASE_SECONDS = int(os.environ.get("ONEWINDOW_TASK_LEASE_SECONDS", str(10 * 60)))
ONEWINDOW_TASK_MAX_ATTEMPTS = int(os.environ.get("ONEWINDOW_TASK_MAX_ATTEMPTS", "3"))
ONEWINDOW_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("ONEWINDOW_WORKER_HEARTBEAT_SECONDS", "30"))
# What a 503 (database away) tells clients to wait before trying again (Retry-After, seconds).
ONEWINDOW_RETRY_AFTER_SECONDS = int(os.environ.get("ONEWINDOW_RETRY_AFTER_SECONDS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # fontTools logs every font it subsets for a PDF at INFO: noise in the server log.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- OpenID Connect provider (django-oauth-toolkit) ------------------------------------------------------
# Department systems sign people in through the platform ("一次认证、全网通办"); see docs/sso.md.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # A department system that shows an ID token of the signed-in person ends the platform session at once
    # (single logout); without one the person is asked first.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    # The authorisation-code flow only: no token or ID token in a browser's address bar.
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_RSA_PRIVATE_KEY": "",  # set below by onewindow.identity.oidc.keys
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [],
    # Empty: the issuer is the address the request came to (Host, and X-Forwarded-Proto behind a proxy);
    # behind a proxy that rewrites the host, give the public address (docs/sso.md).
    "OIDC_ISS_ENDPOINT": os.environ.get("ONEWINDOW_OIDC_ISSUER", "").rstrip("/"),
    "SCOPES": {
        "openid": "识别您的平台账号",
        "profile": "姓名、认证等级、代办企业",
        "phone": "手机号码（脱敏）",
        "idcard": "身份证号码（脱敏）",
        "cases": "查询和办理办件（读写，等同 cases:read + cases:write）",
        "cases:read": "查询办件",
        "cases:write": "办理办件（申请、受理、办结等）",
        "tasks:read": "查看部门待办",
        "tasks:write": "办理部门待办（签收、通过、退回、转办、意见）",
        "supervision:read": "查看电子监察预警、督办单和违规记录",
        "supervision:write": "办理电子监察（签收预警、发出和办结督办单、答复督办单）",
        "webhooks": "管理事件订阅与投递记录",
        "licences": "查询电子证照",
    },
    "DEFAULT_SCOPES": ["openid", "profile"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "OAUTH2_VALIDATOR_CLASS": "onewindow.identity.oidc.validator.OneWindowValidator",
    # RFC 9700 (OAuth 2.0 Security Best Current Practice): no implicit or password grant, S256 PKCE only,
    # tokens only in the Authorization header, `iss` in the authorisation response, tokens stored hashed,
    # refresh-token replay revokes the family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Plain-HTTP callbacks (http://127.0.0.1 in the quick start) only where the platform itself runs on HTTP.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if HTTPS else ["https", "http"],
}


# The ID-token signing key and the retired keys still published in the JWKS (import-safe: no Django).
from onewindow.identity.oidc.keys import signing_keys  # noqa: E402

OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"], OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEYS_INACTIVE"] = signing_keys(
    DATA_DIR
)

# DOT's default, named so that models pointing at the department systems (webhook subscriptions) can
# depend on the swappable model in their migrations.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

# Periodic jobs the scheduler enqueues: (task path, every N seconds).
ONEWINDOW_PERIODIC_JOBS = [
    ("onewindow.core.tasks.audit_chain_check", 24 * 60 * 60),
    ("onewindow.core.tasks.task_results_prune", 7 * 24 * 60 * 60),
    ("onewindow.core.tasks.tasks_reap_abandoned", 60),
    ("onewindow.workdays.tasks.deadlines_refresh_paused", 6 * 60 * 60),
    ("onewindow.workflow.tasks.work_task_due_dates_sync", 6 * 60 * 60),
    ("onewindow.cases.tasks.cases_deemed_accept_job", 60 * 60),
    ("onewindow.cases.tasks.cases_withdraw_uncorrected_job", 6 * 60 * 60),
    ("onewindow.cases.tasks.cases_notifications_retry", 60),
    ("onewindow.webhooks.tasks.webhook_deliveries_due_job", 60),
    ("onewindow.licences.tasks.licences_expire_job", 24 * 60 * 60),
    ("onewindow.licences.tasks.licence_expiry_reminders_job", 24 * 60 * 60),
    ("onewindow.appointments.tasks.bookings_expire_job", 5 * 60),
    ("onewindow.appointments.tasks.bookings_no_show_job", 60 * 60),
    ("onewindow.appointments.tasks.booking_reminders_job", 60 * 60),
    ("onewindow.appointments.tasks.slots_generate_job", 24 * 60 * 60),
    ("onewindow.payments.tasks.payment_orders_expire_job", 5 * 60),
    ("onewindow.payments.tasks.reconciliation_daily_job", 24 * 60 * 60),
]
# Appointments and queue tickets (issue #16; docs/deploy.md). Bookable from MIN to MAX days ahead (ZMS: 1–60);
# NO_SHOW_LIMIT no-shows within NO_SHOW_WINDOW_DAYS block online booking for NO_SHOW_BLOCK_DAYS.
ONEWINDOW_APPOINTMENT_MIN_DAYS_AHEAD = int(os.environ.get("ONEWINDOW_APPOINTMENT_MIN_DAYS_AHEAD", "1"))
ONEWINDOW_APPOINTMENT_MAX_DAYS_AHEAD = int(os.environ.get("ONEWINDOW_APPOINTMENT_MAX_DAYS_AHEAD", "60"))
ONEWINDOW_APPOINTMENT_SLOT_MINUTES = int(os.environ.get("ONEWINDOW_APPOINTMENT_SLOT_MINUTES", "30"))
ONEWINDOW_APPOINTMENT_NO_SHOW_LIMIT = int(os.environ.get("ONEWINDOW_APPOINTMENT_NO_SHOW_LIMIT", "3"))
ONEWINDOW_APPOINTMENT_NO_SHOW_WINDOW_DAYS = int(
    os.environ.get("ONEWINDOW_APPOINTMENT_NO_SHOW_WINDOW_DAYS", "90")
)
ONEWINDOW_APPOINTMENT_NO_SHOW_BLOCK_DAYS = int(
    os.environ.get("ONEWINDOW_APPOINTMENT_NO_SHOW_BLOCK_DAYS", "30")
)
# The average handling time assumed for a line's waiting estimate until it has served tickets.
ONEWINDOW_QUEUE_DEFAULT_HANDLING_MINUTES = int(
    os.environ.get("ONEWINDOW_QUEUE_DEFAULT_HANDLING_MINUTES", "8")
)

# --- Topology: pgbouncer, read replica, Redis sessions, metrics (issue #17; docs/deploy.md) -------------
# Kept in one block: what changes when the platform runs as several app servers behind nginx.
INSTALLED_APPS.append("onewindow.ops")  # `onewindow cluster`, /metrics
# pgbouncer in transaction mode hands a server connection to a client for one transaction only: no
# server-side (named) cursors, which live across transactions. Nothing else here keeps session state
# (the audit chain's advisory lock is transaction-scoped, the scheduler uses a lease row).
if os.environ.get("DATABASE_POOLER") == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A streaming replica for safe public reads (core.replica); without it every read goes to the primary.
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(replica_url, conn_max_age=60, conn_health_checks=True)
    # A stopped replica must fail fast: its reads then fall back to the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["onewindow.core.replica.ReplicaRouter"]
ONEWINDOW_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("ONEWINDOW_REPLICA_MAX_LAG_SECONDS", "5"))
# GET/HEAD requests under these paths read public data from the replica (catalogue, guides, tracking,
# licence verification and keys, public look-up APIs).
ONEWINDOW_REPLICA_PATHS = env_list(
    "ONEWINDOW_REPLICA_PATHS",
    "/services/,/track/,/licences/verify/,/licences/keys/,/v/,/api/v1/items,/api/v1/bundles,"
    "/api/v1/track/,/api/v1/licences/verify/,/api/v1/licences/keys,/api/v1/regions,/api/v1/departments,"
    "/api/v1/workdays/,/api/v1/catalog/",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "onewindow.core.replica.ReplicaRoutingMiddleware",
)
# Sessions in Redis with the database behind it (cached_db): every app server finds them, a Redis restart
# loses none, and the django_session table still backs the signed-in browsers list (identity).
if os.environ.get("REDIS_URL"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # A Redis restart must not fail requests: the cache then answers as an empty one (core.cache).
    CACHES["default"]["BACKEND"] = "onewindow.core.cache.ResilientRedisCache"
    # Short socket timeouts (redis-py reads them from the URL) so that an unreachable Redis is noticed at once.
    _separator = "&" if "?" in CACHES["default"]["LOCATION"] else "?"
    CACHES["default"]["LOCATION"] += f"{_separator}socket_connect_timeout=1&socket_timeout=2"
# Prometheus metrics at /metrics (requests, task queue, database), only for these client networks.
ONEWINDOW_METRICS_ALLOW = env_list("ONEWINDOW_METRICS_ALLOW", "127.0.0.1/32,::1/128")
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
# Per-query counters and timings (django-prometheus's database wrappers), switched on by the operator.
if env_bool("ONEWINDOW_METRICS_QUERIES", False):
    for _alias in DATABASES.values():
        _alias["ENGINE"] = _alias["ENGINE"].replace("django.db.backends.", "django_prometheus.db.backends.")
# --- Audit anchoring, backups and security monitoring (issue #17; docs/deploy.md) ------------------------
# The audit trail is this many hash chains, chosen by target, so writers on different records run in parallel.
ONEWINDOW_AUDIT_STREAMS = int(os.environ.get("ONEWINDOW_AUDIT_STREAMS", "16"))
# Signed checkpoints of the chain heads: an append-only file outside the database (another disk in production).
ONEWINDOW_AUDIT_CHECKPOINT_DIR = Path(os.environ.get("ONEWINDOW_AUDIT_CHECKPOINT_DIR", DATA_DIR / "audit"))
ONEWINDOW_AUDIT_CHECKPOINT_KEY_FILE = Path(
    os.environ.get("ONEWINDOW_AUDIT_CHECKPOINT_KEY_FILE", DATA_DIR / "audit_checkpoint_key")
)
# The data-sharing platform (issue #13): the access log's Ed25519 signing key, and the registry connectors —
# the sandbox unless ONEWINDOW_REGISTRY_<NAME>_URL names a relay of the real registry (docs/deploy.md).
ONEWINDOW_SHARING_LOG_KEY_FILE = Path(
    os.environ.get("ONEWINDOW_SHARING_LOG_KEY_FILE", DATA_DIR / "sharing_log_key")
)
ONEWINDOW_REGISTRY_SANDBOX_DOWN = [
    name for name in os.environ.get("ONEWINDOW_REGISTRY_SANDBOX_DOWN", "").split(",") if name.strip()
]
for _registry in ("population", "market", "real_estate", "marriage", "social_insurance", "birth"):
    _url = os.environ.get(f"ONEWINDOW_REGISTRY_{_registry.upper()}_URL", "")
    if _url:
        ONEWINDOW_PLUGINS[f"registry.{_registry}"] = {
            "class": "onewindow.sharing.registries.HttpRegistry",
            "options": {
                "name": _registry,
                "url": _url,
                "token": os.environ.get(f"ONEWINDOW_REGISTRY_{_registry.upper()}_TOKEN", ""),
                "timeout": float(os.environ.get("ONEWINDOW_REGISTRY_TIMEOUT", "5")),
                "retries": int(os.environ.get("ONEWINDOW_REGISTRY_RETRIES", "2")),
                "breaker_failures": int(os.environ.get("ONEWINDOW_REGISTRY_BREAKER_FAILURES", "5")),
                "breaker_seconds": float(os.environ.get("ONEWINDOW_REGISTRY_BREAKER_SECONDS", "30")),
            },
        }
    elif _registry == "market":
        ONEWINDOW_PLUGINS["registry.market"] = "onewindow.sharing.registries.SandboxMarketRegistry"
    else:
        ONEWINDOW_PLUGINS[f"registry.{_registry}"] = {
            "class": "onewindow.sharing.registries.SandboxRegistry",
            "options": {"name": _registry},
        }
ONEWINDOW_AUDIT_CHECKPOINT_SECONDS = int(os.environ.get("ONEWINDOW_AUDIT_CHECKPOINT_SECONDS", "300"))
ONEWINDOW_PERIODIC_JOBS.append(
    ("onewindow.core.tasks.audit_checkpoint_job", ONEWINDOW_AUDIT_CHECKPOINT_SECONDS)
)
# Security monitoring (onewindow.secmon): (events, window in seconds) that raise an alert to the platform
# administrators, per subject (account name or user) and per client address.
ONEWINDOW_SECMON_THRESHOLDS = {
    "sign_in_failed": (10, 15 * 60),
    "lockout": (3, 60 * 60),
    "permission_refused": (30, 5 * 60),
    "personal_data_lookup": (20, 60 * 60),
    "key_rotation": (1, 24 * 60 * 60),
    "data_export": (5, 60 * 60),
    "rate_limited": (3, 60 * 60),
}
# 404s under these paths count as refusals (walking through other people's case or licence numbers).
ONEWINDOW_SECMON_WATCHED_PATHS = ["/cases/", "/workbench/", "/api/v1/cases", "/api/v1/licences", "/licences/"]
# 网络安全法 art. 21: logs kept at least six months; the pruning job never goes below 180 days.
ONEWINDOW_SECMON_RETENTION_DAYS = int(os.environ.get("ONEWINDOW_SECMON_RETENTION_DAYS", "400"))
ONEWINDOW_PERIODIC_JOBS.append(("onewindow.secmon.tasks.security_events_prune_job", 24 * 60 * 60))

# 12345 hotline (onewindow.hotline): working days after the dispatch within which a department may return a
# ticket outside its duties (退单); later it must handle it. Overdue tickets are escalated every hour.
ONEWINDOW_HOTLINE_RETURN_DAYS = int(os.environ.get("ONEWINDOW_HOTLINE_RETURN_DAYS", "1"))
ONEWINDOW_PERIODIC_JOBS.append(("onewindow.hotline.tasks.tickets_escalate_job", 60 * 60))
# E-supervision (onewindow.supervision): the scan for warnings, cards and breaches; the rules themselves are
# versioned data edited on the supervisor's workbench.
ONEWINDOW_SUPERVISION_SCAN_SECONDS = int(os.environ.get("ONEWINDOW_SUPERVISION_SCAN_SECONDS", "900"))
ONEWINDOW_PERIODIC_JOBS.append(
    ("onewindow.supervision.tasks.supervision_scan_job", ONEWINDOW_SUPERVISION_SCAN_SECONDS)
)
# Measures dashboard (onewindow.analytics): how often the daily rollups it reads are refreshed (the changed
# days only); the page states the time of the last refresh.
ONEWINDOW_ANALYTICS_ROLLUP_SECONDS = int(os.environ.get("ONEWINDOW_ANALYTICS_ROLLUP_SECONDS", "600"))
ONEWINDOW_PERIODIC_JOBS.append(
    ("onewindow.analytics.tasks.analytics_rollup_job", ONEWINDOW_ANALYTICS_ROLLUP_SECONDS)
)
# 我要问 and 投诉建议 (onewindow.consult): answer and handling time limits in working days.
ONEWINDOW_CONSULT_ANSWER_DAYS = int(os.environ.get("ONEWINDOW_CONSULT_ANSWER_DAYS", "5"))
ONEWINDOW_COMPLAINT_DAYS = int(os.environ.get("ONEWINDOW_COMPLAINT_DAYS", "15"))
# --- 好差评 (issue #14; onewindow.ratings) ------------------------------------------------------------------
# A bad rating is fixed within this many working days on the legal calendar (德州: 5; Sichuan: 15).
ONEWINDOW_RATINGS_RECTIFY_WORKING_DAYS = int(os.environ.get("ONEWINDOW_RATINGS_RECTIFY_WORKING_DAYS", "5"))
ONEWINDOW_PERIODIC_JOBS.append(("onewindow.ratings.tasks.rectifications_escalate_job", 60 * 60))
# Ratings by SMS reply and phone keypad arrive from the operator's gateway, signed with a shared secret.
ONEWINDOW_PLUGINS["ratings_inbound"] = "onewindow.ratings.inbound.SandboxInboundGateway"
if os.environ.get("ONEWINDOW_RATINGS_INBOUND_SECRET"):
    ONEWINDOW_PLUGINS["ratings_inbound"] = {
        "class": "onewindow.ratings.inbound.SignedInboundGateway",
        "options": {"secret": os.environ["ONEWINDOW_RATINGS_INBOUND_SECRET"]},
    }

# Open data (issue #15): counts under this threshold are suppressed in published statistics (docs/deploy.md).
ONEWINDOW_OPENDATA_MIN_CELL = int(os.environ.get("ONEWINDOW_OPENDATA_MIN_CELL", "5"))
# Proactive services 主动服务: daily recommendations from the applicant's licences and life events.
ONEWINDOW_PERIODIC_JOBS.append(("onewindow.proactive.tasks.recommendations_generate_job", 24 * 60 * 60))
