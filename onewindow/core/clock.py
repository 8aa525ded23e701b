"""The platform's notion of "now", in one place so tests and the legal clock agree on it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant (aware, UTC)."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in the platform's time zone (Asia/Shanghai): deadlines are counted in local days."""
    return timezone.localdate(now())
