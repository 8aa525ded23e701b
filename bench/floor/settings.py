"""The floor of the HTTP load suite (issue #18): the least a Django answer can cost on this machine.

Same Django, same database (``DATABASE_URL``, the suite's seeded PostgreSQL), same gunicorn settings as the
platform; no middleware, no templates, no sessions, no apps. One view reads one case by its indexed number
and answers JSON. Every onewindow endpoint in ``bench/http_load.py`` is reported as a ratio to this.
"""

import os

import dj_database_url

SECRET_KEY = "floor-not-secret"  # noqa: S105 — no session, cookie or signature uses it
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.floor.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
USE_TZ = True
# The platform's own connection settings (onewindow/settings.py): persistent connections, health checks.
DATABASES = {
    "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)
}
