"""Test settings: production settings with plain HTTP (the test client speaks HTTP) and a throwaway data dir."""

import hashlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("ONEWINDOW_HTTPS", "false")
# One data directory per user and checkout: two checkouts tested at once (a CI clone and a working copy) shared
# the SQLite file of the live-server tests, and each emptied the other's tables.
os.environ.setdefault(
    "ONEWINDOW_DATA_DIR",
    os.path.join(
        tempfile.gettempdir(),
        f"onewindow-test-{os.getuid()}-"
        + hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8],
    ),
)

from onewindow.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Hashing passwords slowly is the point in production and a waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# One-time codes are shown by the sandbox SMS gateway; staff TOTP is switched on by the tests that exercise it.
ONEWINDOW_SANDBOX = True
ONEWINDOW_STAFF_TOTP_REQUIRED = False
