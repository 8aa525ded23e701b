"""Safe public reads on the PostgreSQL streaming replica, everything else on the primary (issue #17).

A request is *replica-safe* when it is a GET or HEAD on an allow-listed public path — the catalogue and
guides, public tracking, licence verification and the published keys, the public look-up APIs
(``settings.ONEWINDOW_REPLICA_PATHS``). ``ReplicaRoutingMiddleware`` marks such a request in a context
variable; ``ReplicaRouter`` then sends the reads of public-data apps to the ``replica`` alias. Anything else —
writes, reads inside a transaction, sessions, accounts, personal data, any other path or method — stays on
the primary, so a read never misses what the same person just wrote.

The replica may be stopped or behind: a short-lived health flag per process (checked at most every
``_CHECK_SECONDS``) sends reads back to the primary while it is down or lags more than
``ONEWINDOW_REPLICA_MAX_LAG_SECONDS``; a replica that fails during a request marks the flag down and the
(read-only) view runs again on the primary, so the visitor never sees an error. Without
``DATABASE_REPLICA_URL`` there is no ``replica`` alias and nothing changes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
# The apps whose rows public pages show; sessions, accounts, identity and the audit trail never come from a
# replica (a person who just signed in or registered must be found at once).
REPLICA_APPS = frozenset({"catalogue", "cases", "licences", "organisations", "workdays"})
_CHECK_SECONDS = 5.0  # a healthy replica is checked again after this
_DOWN_SECONDS = 10.0  # a failed one is left alone this long before the next try

replica_safe: ContextVar[bool] = ContextVar("replica_safe", default=False)


class _Health:
    """This process's view of the replica: usable until ``good_until``, avoided until ``down_until``."""

    good_until = 0.0
    down_until = 0.0
    last_lag_seconds: float | None = None
    last_error = ""


health = _Health()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag_seconds(connection: BaseDatabaseWrapper) -> float:
    """How far the replica's replay is behind what it has received, in seconds; 0 when it has replayed
    everything (an idle primary writes nothing, so the age of the last replayed transaction alone would
    look like lag), and 0 for a server that is not in recovery (a promoted replica, or tests' mirror)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT 1")  # reachable is all another engine can tell
            return 0.0
        cursor.execute(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
            " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
        )
        row = cursor.fetchone()
    return float(row[0]) if row else 0.0


def replica_mark_down(reason: str) -> None:
    """Send reads to the primary for ``_DOWN_SECONDS`` (the replica failed or lags)."""
    if time.monotonic() >= health.down_until:
        logger.warning("replica unavailable, reading from the primary: %s", reason)
    health.down_until = time.monotonic() + _DOWN_SECONDS
    health.good_until = 0.0
    health.last_error = reason[:300]


def replica_usable(connection: BaseDatabaseWrapper | None = None) -> bool:
    """Whether reads may go to the replica now: checked (a connection and its lag) at most every few
    seconds, so a request costs no extra round trip."""
    now = time.monotonic()
    if now < health.down_until:
        return False
    if now < health.good_until:
        return True
    connection = connection or connections[REPLICA]
    try:
        lag = replica_lag_seconds(connection)
    except DatabaseError as error:
        connection.close_if_unusable_or_obsolete()
        replica_mark_down(f"{type(error).__name__}: {error}".strip())
        return False
    health.last_lag_seconds = lag
    if lag > settings.ONEWINDOW_REPLICA_MAX_LAG_SECONDS:
        replica_mark_down(f"lag {lag:.1f} s")
        return False
    health.good_until = now + _CHECK_SECONDS
    return True


def request_replica_safe(request: HttpRequest) -> bool:
    """GET or HEAD on an allow-listed public path."""
    if request.method not in {"GET", "HEAD"}:
        return False
    return any(request.path_info.startswith(prefix) for prefix in settings.ONEWINDOW_REPLICA_PATHS)


class ReplicaRouter:
    """Reads of public-data apps on the replica during a replica-safe request; everything else on the
    primary. Migrations run on the primary only (the replica receives them through streaming)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not replica_safe.get() or model._meta.app_label not in REPLICA_APPS:
            return None
        # Inside a transaction on the primary a read must see that transaction's own writes.
        if _in_transaction(connections[PRIMARY]):
            return None
        return REPLICA if replica_usable() else None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read from either may refer to one from the other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read from the primary inside this block even on a replica-safe request: for an answer that will be
    kept (in a cache) longer than the replica may lag behind."""
    token = replica_safe.set(False)
    try:
        yield
    finally:
        replica_safe.reset(token)


class ReplicaRoutingMiddleware:
    """Marks replica-safe requests for ``ReplicaRouter``; a view whose replica reads fail is run again on
    the primary (it is a GET or HEAD, so running it twice changes nothing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured() or not request_replica_safe(request):
            return self.get_response(request)
        token = replica_safe.set(True)
        try:
            return self.get_response(request)
        finally:
            replica_safe.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (replica_safe.get() and isinstance(exception, DatabaseError)):
            return None
        if not _replica_failed(exception):
            return None
        replica_mark_down(f"{type(exception).__name__}: {exception}".strip())
        connections[REPLICA].close_if_unusable_or_obsolete()
        match = request.resolver_match
        if match is None:
            return None
        replica_safe.set(False)
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


def _in_transaction(connection: BaseDatabaseWrapper) -> bool:
    """An ``atomic`` block of the code is open (Django's TestCase wraps each test in one of its own, marked
    ``_from_testcase``, which is not the code's transaction)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _replica_failed(exception: Exception) -> bool:
    """Whether the replica's connection is the one that failed (not the primary's)."""
    connection = connections[REPLICA]
    if connection.connection is None:
        return True  # it could not even connect
    try:
        return not connection.is_usable()
    except DatabaseError:
        return True
