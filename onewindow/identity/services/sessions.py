"""Signed-in browsers: recorded at sign-in, touched while used, ended by their user from anywhere.

Ending a session deletes it from Django's session store, so that browser is signed out on its next request;
the ``UserSession`` row stays (with ``ended_at``) for the record.
"""

from __future__ import annotations

import time
import uuid
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from onewindow.core import clock
from onewindow.core.errors import NotFound
from onewindow.core.ratelimit import client_ip_address
from onewindow.core.services import audit_record
from onewindow.identity.models import UserSession

# last_seen_at is written at most this often per browser: one small UPDATE a minute, not one per page.
TOUCH_EVERY_SECONDS = 60
_SEEN_KEY = "identity_seen_at"


def _store_delete(session_key: str) -> None:
    import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key).delete()


def session_record(*, request: HttpRequest, user: Any, method: str) -> UserSession:
    """List the browser that just signed in (call right after ``django.contrib.auth.login``)."""
    if request.session.session_key is None:
        request.session.save()
    session_key = str(request.session.session_key)
    request.session[_SEEN_KEY] = int(time.time())
    record, _ = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip": client_ip_address(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "method": method[:20],
            "last_seen_at": clock.now(),
            "ended_at": None,
        },
    )
    return record


def session_touch(*, request: HttpRequest) -> None:
    """Note that this signed-in browser is still in use (at most once a minute)."""
    session_key = request.session.session_key
    seen = request.session.get(_SEEN_KEY, 0)
    if session_key is None or time.time() - seen < TOUCH_EVERY_SECONDS:
        return
    request.session[_SEEN_KEY] = int(time.time())
    UserSession.objects.filter(session_key=session_key, ended_at=None).update(last_seen_at=clock.now())


def session_mark_ended(*, session_key: str | None) -> None:
    """The browser signed out by itself (logout): keep the row, note when."""
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at=None).update(ended_at=clock.now())


@transaction.atomic
def session_end(*, user: Any, session_id: Any) -> UserSession:
    """Sign one of the user's own browsers out. Someone else's session is answered as not found."""
    try:
        session_uuid = uuid.UUID(str(session_id))
    except ValueError:
        raise NotFound() from None
    record = UserSession.objects.filter(user=user, pk=session_uuid, ended_at=None).first()
    if record is None:
        raise NotFound("未找到该登录设备，可能已经退出。")
    _store_delete(record.session_key)
    record.ended_at = clock.now()
    record.save(update_fields=["ended_at", "updated_at"])
    audit_record(actor=user, action="session.end", target=record, changes={"method": record.method})
    return record


def _end_many(*, user: Any, keep_session_key: str = "") -> int:
    records = list(UserSession.objects.filter(user=user, ended_at=None).exclude(session_key=keep_session_key))
    for record in records:
        _store_delete(record.session_key)
    UserSession.objects.filter(pk__in=[r.pk for r in records]).update(ended_at=clock.now())
    return len(records)


@transaction.atomic
def sessions_end_others(*, user: Any, keep_session_key: str) -> int:
    """Sign out every browser of this user except the one asking; returns how many were ended."""
    count = _end_many(user=user, keep_session_key=keep_session_key or "")
    audit_record(actor=user, action="session.end_others", target=user, changes={"count": count})
    return count


@transaction.atomic
def sessions_end_all(*, user: Any) -> int:
    """Sign out every browser of this user (after a password reset)."""
    count = _end_many(user=user)
    audit_record(actor=user, action="session.end_all", target=user, changes={"count": count})
    return count
