"""Shared by the whole suite: personas (ENGINEERING.md §4) — staff of two departments, a supervisor, an
administrator, an applicant —, a pinned clock (``at``), the demo loaded once per module, the comprehensive
window's centre, and the order tests run in."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from onewindow.core import clock
from onewindow.halls import services as hall_services
from onewindow.organisations.models import Department, Role
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory, person

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def department_a(db) -> Department:
    return DepartmentFactory(name="福州市市场监督管理局", short_name="市市场监管局")


@pytest.fixture
def department_b(db) -> Department:
    return DepartmentFactory(name="福州市卫生健康委员会", short_name="市卫健委")


def _staff(username: str, department: Department, role: Role, **user_fields: object):
    membership = MembershipFactory(
        user=UserFactory(username=username, is_staff=True, **user_fields), department=department, role=role
    )
    return membership.user


@pytest.fixture
def clerk_a(department_a):
    return _staff("clerk_a", department_a, Role.WINDOW_CLERK)


@pytest.fixture
def clerk_b(department_b):
    return _staff("clerk_b", department_b, Role.WINDOW_CLERK)


@pytest.fixture
def supervisor(department_a):
    return _staff("supervisor", department_a, Role.SUPERVISOR)


@pytest.fixture
def platform_admin(department_a):
    return _staff("platform_admin", department_a, Role.PLATFORM_ADMIN)


@pytest.fixture
def applicant(db):
    return UserFactory(username="applicant")


@pytest.fixture
def citizen(db):
    """A citizen verified to L2 (ID checked against the registry), signing in with DEFAULT_PASSWORD."""
    return person(1, name="张三").user


@pytest.fixture
def another_citizen(db):
    return person(2, name="李四").user


@pytest.fixture
def at(monkeypatch):
    """Pin the platform clock to a local date (10:00 in Shanghai): ``at("2026-09-29")``; the workflow tests
    keep their own, which pins ``clock.today`` too."""

    def set_now(day: str, hour: int = 10) -> dt.datetime:
        moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    set_now("2026-09-29")
    return set_now


@pytest.fixture
def client_as():
    """A test client signed in as the given user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# A city service centre (政务服务中心) whose comprehensive window (综合窗口) is run by an approval bureau in
# department A's region, and a clerk of the bureau working that window: the halls and the cases tests share them.
@pytest.fixture
def bureau(department_a):
    """The 行政审批局 that runs the centre's comprehensive window, in department A's region."""
    return DepartmentFactory(name="福州市行政审批局", short_name="市审批局", region=department_a.region)


@pytest.fixture
def centre(bureau):
    return hall_services.centre_create(
        actor=None,
        name="福州市民服务中心",
        region=bureau.region,
        window_department=bureau,
        address="福州市鼓楼区乌山路96号",
        opening_hours="周一至周五 8:30—17:30",
        phone="0591-87113801",
    )


@pytest.fixture
def window_clerk(centre, bureau):
    user = MembershipFactory(
        user=UserFactory(username="window_clerk", is_staff=True), department=bureau, role=Role.WINDOW_CLERK
    ).user
    hall_services.window_clerk_assign(actor=None, centre=centre, user=user)
    return user


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The whole demo loaded once for the module (yields the command's report) and rolled back at its end, so
    other modules start from an empty database; tests also need ``db``, whose changes roll back to a savepoint
    after each test.

    Loaded through the management command: ``onewindow.demo`` sits above every app in the import layers, so
    an app's tests never import it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            report = StringIO()
            call_command("demo", stdout=report)
            yield report.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


_append_only = importlib.import_module("onewindow.core.migrations.0002_audit_append_only")
_calendar_seed = importlib.import_module("onewindow.workdays.migrations.0002_seed_official_calendar")


@pytest.fixture
def flushable_database() -> Iterator[None]:
    """Let a transactional test's teardown empty the database, which the audit table's triggers forbid.

    Request it after the database (``live_server``, or the ``django_db(transaction=True)`` mark), so this
    teardown runs before the flush; the triggers are back in place before the next test starts.
    """
    _audit_triggers(enabled=True)
    # The previous test's flush took the holiday lists the migration seeded; put them back.
    _calendar_seed.seed(django_apps, None)
    yield
    _audit_triggers(enabled=False)


@pytest.fixture
def live_server_flushable(live_server, flushable_database) -> None:
    """A live server whose teardown may empty the database (``flushable_database`` set up after it)."""


def _audit_triggers(*, enabled: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditentry {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
            return
        for statement in _append_only.SQLITE_DOWN:
            cursor.execute(statement)
        if enabled:
            for statement in _append_only.SQLITE_UP:
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def cache_cleared():
    """Rate-limit counters live in the cache: one test's attempts must not count against the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys and other live-server tests last: their live server empties the database after each test (TransactionTestCase),
    which would take the migration-seeded holiday calendar away from any test that ran after them."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("browser") is not None
            or "live_server" in getattr(item, "fixturenames", ())
        )
    )
