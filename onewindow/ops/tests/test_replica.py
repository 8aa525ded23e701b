"""The read-replica router: safe public reads on the replica, everything else on the primary, and the
fall-back to the primary when the replica is down or behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from onewindow.catalogue.models import Item
from onewindow.core import replica
from onewindow.core.replica import PRIMARY, REPLICA, ReplicaRouter, replica_safe
from onewindow.identity.models import Person

# The tests add a replica alias for themselves; Django warns that DATABASES is overridden.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@pytest.fixture(autouse=True)
def fresh_health() -> Iterator[None]:
    replica.health.good_until = replica.health.down_until = 0.0
    yield
    replica.health.good_until = replica.health.down_until = 0.0


def _wrapper(**changes: object):
    """A connection to the test database (what a streaming replica holds), or with ``changes`` elsewhere."""
    settings_dict = {**connections[PRIMARY].settings_dict, **changes}
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, REPLICA)


def _unreachable():
    """A connection to a database that is not there: a closed port, or a SQLite file in a missing folder."""
    if connections[PRIMARY].vendor == "postgresql":
        return _wrapper(HOST="127.0.0.1", PORT="1", OPTIONS={"connect_timeout": 1})
    return _wrapper(NAME="/nonexistent-onewindow-dir/replica.sqlite3")


@pytest.fixture
def replica_alias(settings) -> Iterator[None]:
    """A routed ``replica`` alias. Set as a connection only (not in the handler's settings), which Django's
    test case lets through as a dynamically created connection."""
    settings.DATABASES = {**settings.DATABASES, REPLICA: connections[PRIMARY].settings_dict}
    settings.DATABASE_ROUTERS = ["onewindow.core.replica.ReplicaRouter"]
    connections[REPLICA] = _wrapper()
    yield
    connections[REPLICA].close()
    del connections[REPLICA]


@pytest.fixture
def safe_request() -> Iterator[None]:
    token = replica_safe.set(True)
    yield
    replica_safe.reset(token)


def test_request_on_catalogue_get_is_replica_safe():
    assert replica.request_replica_safe(RequestFactory().get("/services/items/X/"))


def test_post_on_a_public_path_is_not_replica_safe():
    assert not replica.request_replica_safe(RequestFactory().post("/track/123/"))


def test_path_outside_the_allow_list_is_not_replica_safe():
    assert not replica.request_replica_safe(RequestFactory().get("/cases/"))


@pytest.mark.django_db
def test_public_read_goes_to_a_healthy_replica(safe_request):
    assert replica.replica_usable(connections[PRIMARY])
    assert ReplicaRouter().db_for_read(Item) == REPLICA


@pytest.mark.django_db
def test_read_outside_a_safe_request_stays_on_the_primary():
    replica.health.good_until = float("inf")
    assert ReplicaRouter().db_for_read(Item) is None


@pytest.mark.django_db
def test_personal_data_never_comes_from_the_replica(safe_request):
    replica.health.good_until = float("inf")
    assert ReplicaRouter().db_for_read(Person) is None


@pytest.mark.django_db
def test_read_inside_a_transaction_stays_on_the_primary(safe_request):
    from django.db import transaction

    replica.health.good_until = float("inf")
    with transaction.atomic():
        assert ReplicaRouter().db_for_read(Item) is None


def test_writes_and_migrations_go_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_write(Item) == PRIMARY
    assert router.allow_migrate(REPLICA, "catalogue") is False
    assert router.allow_migrate(PRIMARY, "catalogue") is None


@pytest.mark.django_db
def test_unreachable_replica_sends_reads_to_the_primary(safe_request):
    assert not replica.replica_usable(_unreachable())
    assert ReplicaRouter().db_for_read(Item) is None
    assert "OperationalError" in replica.health.last_error


@pytest.mark.django_db
def test_lagging_replica_sends_reads_to_the_primary(safe_request, settings, monkeypatch):
    settings.ONEWINDOW_REPLICA_MAX_LAG_SECONDS = 5
    monkeypatch.setattr(replica, "replica_lag_seconds", lambda connection: 12.5)
    assert not replica.replica_usable(connections[PRIMARY])
    assert replica.health.last_error == "lag 12.5 s"


@pytest.mark.django_db
def test_replica_marked_down_is_not_asked_again_until_the_pause_ends(safe_request, monkeypatch):
    calls = []
    monkeypatch.setattr(replica, "replica_lag_seconds", lambda connection: calls.append(1) or 0.0)
    replica.replica_mark_down("test")
    assert not replica.replica_usable(connections[PRIMARY])
    assert calls == []


@pytest.mark.django_db
def test_replica_lag_on_the_primary_itself_is_zero():
    assert replica.replica_lag_seconds(connections[PRIMARY]) == 0.0


@pytest.mark.django_db
def test_public_page_reads_from_the_replica(client, replica_alias):
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/services/")
    assert response.status_code == 200
    assert len(on_replica) > 0


@pytest.mark.django_db
def test_private_page_reads_nothing_from_the_replica(client, replica_alias, citizen):
    client.force_login(citizen)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/cases/")
    assert response.status_code == 200
    assert len(on_replica) == 0


@pytest.mark.django_db
def test_public_page_answers_from_the_primary_when_the_replica_is_down(client, replica_alias):
    connections[REPLICA] = _unreachable()
    response = client.get("/services/")
    assert response.status_code == 200
    assert replica.health.down_until > 0


@pytest.mark.django_db
def test_public_page_is_run_again_on_the_primary_when_the_replica_fails_mid_request(
    client, replica_alias, monkeypatch
):
    """The health flag said yes, then the replica went away: the visitor still gets the page."""
    replica.health.good_until = float("inf")
    connections[REPLICA] = _unreachable()
    response = client.get("/services/")
    assert response.status_code == 200
    assert replica.health.down_until > 0


def test_without_a_replica_the_middleware_changes_nothing(settings):
    assert REPLICA not in settings.DATABASES
    seen = []
    middleware = replica.ReplicaRoutingMiddleware(lambda request: seen.append(replica_safe.get()) or None)
    middleware(RequestFactory().get("/services/"))
    assert seen == [False]


@pytest.mark.django_db
def test_an_answer_to_be_kept_in_the_cache_is_read_from_the_primary(safe_request):
    # A cached licence verification outlives any replica lag, so what it is made from comes from the primary.
    assert replica.replica_usable(connections[PRIMARY])
    with replica.primary_reads():
        assert ReplicaRouter().db_for_read(Item) in (None, PRIMARY)
    assert ReplicaRouter().db_for_read(Item) == REPLICA
