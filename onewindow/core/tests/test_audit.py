"""The audit trail: hash-chained, append-only in the database, and `onewindow audit verify` finds tampering."""

from __future__ import annotations

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from onewindow.core.context import client_ip
from onewindow.core.models import AuditEntry
from onewindow.core.selectors import audit_chain_verify, audit_entries_for
from onewindow.core.services import GENESIS_HASH, audit_entry_digest, audit_record

pytestmark = pytest.mark.django_db

# The SQLite triggers of migration core/0002, re-created after a test bypasses them.
SQLITE_TRIGGERS = {
    "core_auditentry_no_update": "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE refused'); END;",
    "core_auditentry_no_delete": "CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: DELETE refused'); END;",
}


@contextmanager
def triggers_bypassed():
    """Tamper with the table the way someone with direct database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield cursor
            finally:
                cursor.execute("SET session_replication_role = origin")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
            try:
                yield cursor
            finally:
                for statement in SQLITE_TRIGGERS.values():
                    cursor.execute(statement)


@pytest.fixture
def entries(clerk_a, department_a) -> list[AuditEntry]:
    return [
        audit_record(
            actor=clerk_a, action="case.accept", target=department_a, changes={"status": ["a", "b"]}
        ),
        audit_record(actor=None, action="calendar.import", changes={"year": 2027}),
        audit_record(actor=clerk_a, action="case.approve", target=department_a),
    ]


def test_entries_are_numbered_one_after_another(entries):
    assert [e.seq for e in entries] == [entries[0].seq, entries[0].seq + 1, entries[0].seq + 2]


def test_each_entry_chains_to_the_previous_entrys_hash_in_its_stream(entries):
    predecessor = entries[1] if entries[1].stream == entries[0].stream else entries[0]
    assert entries[2].prev_hash == predecessor.hash


def test_the_first_entry_chains_to_the_genesis_hash(entries):
    assert AuditEntry.objects.order_by("seq").first().prev_hash == GENESIS_HASH


def test_an_entry_hash_is_its_sm3_digest(entries):
    stored = AuditEntry.objects.get(seq=entries[0].seq)
    assert len(stored.hash) == 64
    assert audit_entry_digest(stored) == stored.hash


def test_an_entry_records_actor_target_changes_and_time(entries, clerk_a, department_a):
    stored = AuditEntry.objects.get(seq=entries[0].seq)
    assert (stored.actor_id, stored.actor_label) == (clerk_a.pk, f"{clerk_a.name}（clerk_a）")
    assert (stored.target_type, stored.target_id) == ("organisations.department", str(department_a.pk))
    assert stored.target_label == department_a.name
    assert stored.changes == {"status": ["a", "b"]}
    assert stored.at is not None


def test_a_system_entry_is_labelled_system(entries):
    assert AuditEntry.objects.get(seq=entries[1].seq).actor_label == "system"


def test_an_entry_records_the_source_address_of_the_request(db):
    token = client_ip.set("203.0.113.7")
    try:
        entry = audit_record(actor=None, action="test.ip")
    finally:
        client_ip.reset(token)
    assert AuditEntry.objects.get(seq=entry.seq).ip == "203.0.113.7"


def test_a_records_history_lists_only_its_entries_newest_first(entries, department_a):
    history = audit_entries_for(target_type="organisations.department", target_id=str(department_a.pk))
    assert [e.action for e in history] == ["case.approve", "case.accept"]


def test_an_intact_chain_verifies(entries):
    report = audit_chain_verify()
    assert report.ok
    assert report.checked == AuditEntry.objects.count()


def test_the_verify_command_reports_an_intact_chain(entries):
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"{AuditEntry.objects.count()} entries verified" in out.getvalue()


def test_updating_an_entry_through_the_orm_is_refused_by_the_database(entries):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=entries[1].seq).update(action="calendar.forged")
    assert AuditEntry.objects.get(seq=entries[1].seq).action == "calendar.import"


def test_saving_a_changed_entry_is_refused_by_the_database(entries):
    entry = AuditEntry.objects.get(seq=entries[1].seq)
    entry.actor_label = "someone else"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    assert AuditEntry.objects.get(seq=entries[1].seq).actor_label == "system"


def test_deleting_an_entry_through_the_orm_is_refused_by_the_database(entries):
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=entries[1].seq).delete()
    assert AuditEntry.objects.count() == count


def test_verify_names_an_entry_altered_in_the_database(entries):
    altered = entries[1]
    with triggers_bypassed() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET action = %s WHERE seq = %s", ["calendar.forged", altered.seq]
        )
    report = audit_chain_verify()
    assert report.first_bad_seq == altered.seq
    assert "altered" in report.problem


def test_the_verify_command_fails_naming_the_altered_entry(entries):
    altered = entries[1]
    with triggers_bypassed() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET changes = %s WHERE seq = %s", ['{"year": 2028}', altered.seq]
        )
    with pytest.raises(CommandError, match=f"#{altered.seq} was altered"):
        call_command("audit", "verify")


@pytest.fixture
def one_stream(department_a) -> list[AuditEntry]:
    """Three entries about one record: they share a stream, so each chains to the one before."""
    return [audit_record(actor=None, action=f"test.step{n}", target=department_a) for n in range(3)]


def test_entries_about_one_record_share_a_stream_in_order(one_stream):
    assert len({e.stream for e in one_stream}) == 1
    assert [e.stream_seq - one_stream[0].stream_seq for e in one_stream] == [0, 1, 2]


def test_verify_reports_a_deleted_entry_as_missing(one_stream):
    deleted = one_stream[1]
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [deleted.seq])
    with pytest.raises(
        CommandError, match=f"stream {deleted.stream}: entry #{deleted.stream_seq} is missing"
    ):
        call_command("audit", "verify")


def test_verify_reports_an_entry_rehashed_without_its_successor(one_stream):
    entries = one_stream
    forged = AuditEntry.objects.get(seq=entries[1].seq)
    forged.action = "test.forged"
    forged_hash = audit_entry_digest(forged)
    with triggers_bypassed() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET action = %s, hash = %s WHERE seq = %s",
            ["test.forged", forged_hash, forged.seq],
        )
    report = audit_chain_verify()
    assert report.first_bad_seq == entries[2].seq
    assert "does not chain" in report.problem


def test_the_triggers_are_back_after_a_bypass(entries):
    with triggers_bypassed():
        pass
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=entries[0].seq).update(action="x")
