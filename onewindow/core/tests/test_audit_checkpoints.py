"""Signed checkpoints of the audit heads, kept outside the database: deleting the newest entries is detected."""

from __future__ import annotations

import json
import logging
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onewindow.core.audit_checkpoints import (
    CheckpointRefused,
    audit_checkpoint_create,
    checkpoint_file,
    checkpoints_read,
)
from onewindow.core.hashing import sm3_hex
from onewindow.core.models import AuditEntry
from onewindow.core.selectors import audit_chain_verify
from onewindow.core.services import audit_entry_digest, audit_record, audit_stream_for
from onewindow.core.tasks import audit_checkpoint_job
from onewindow.core.tests.test_audit import triggers_bypassed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checkpoint_place(settings, tmp_path):
    settings.ONEWINDOW_AUDIT_CHECKPOINT_DIR = tmp_path / "anchor"
    settings.ONEWINDOW_AUDIT_CHECKPOINT_KEY_FILE = tmp_path / "keys" / "audit_checkpoint_key"
    return tmp_path


@pytest.fixture
def trail(department_a, department_b) -> list[AuditEntry]:
    return [
        audit_record(actor=None, action=f"test.step{n}", target=target)
        for n, target in enumerate([department_a, department_b, None, department_a, department_b])
    ]


def test_a_checkpoint_records_every_stream_head(trail):
    record = audit_checkpoint_create()
    newest = {e.stream: e for e in trail}
    for stream, entry in newest.items():
        assert record["streams"][str(stream)]["position"] == entry.stream_seq
        assert record["streams"][str(stream)]["hash"] == entry.hash


def test_the_checkpoint_file_is_append_only_and_private(trail):
    audit_checkpoint_create()
    audit_checkpoint_create()
    path = checkpoint_file()
    assert len(path.read_text().splitlines()) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_checkpoint_key_is_kept_private_outside_the_database(trail, settings):
    audit_checkpoint_create()
    assert stat.S_IMODE(settings.ONEWINDOW_AUDIT_CHECKPOINT_KEY_FILE.stat().st_mode) == 0o600


def test_a_checkpoint_is_written_to_the_log(trail, caplog):
    with caplog.at_level(logging.INFO, logger="onewindow.audit.checkpoint"):
        record = audit_checkpoint_create()
    assert record["signature"] in caplog.text


def test_the_checkpoint_command_reports_where_it_wrote(trail):
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert str(checkpoint_file()) in out.getvalue()


def test_the_periodic_job_writes_a_checkpoint(trail):
    audit_checkpoint_job.call()
    assert checkpoints_read().count == 1


def test_verify_says_which_checkpoint_the_chain_matches(trail):
    audit_checkpoint_create()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "matches the newest of 1 signed checkpoints" in out.getvalue()


def test_entries_written_after_the_checkpoint_still_verify(trail, department_a):
    audit_checkpoint_create()
    audit_record(actor=None, action="test.later", target=department_a)
    assert audit_chain_verify().ok


def test_deleting_the_newest_entries_is_reported_against_the_checkpoint(trail):
    audit_checkpoint_create()
    newest = trail[-1]
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE stream = %s", [newest.stream])
    with pytest.raises(CommandError, match=f"stream {newest.stream}: the newest entries .* are missing"):
        call_command("audit", "verify")


def test_deleting_only_the_last_entry_is_reported(trail):
    audit_checkpoint_create()
    newest = trail[-1]
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [newest.seq])
    report = audit_chain_verify()
    assert f"#{newest.stream_seq} are missing (deleted)" in report.problem


def test_without_checkpoints_a_deleted_head_goes_unnoticed_which_is_why_they_exist(trail):
    newest = trail[-1]
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [newest.seq])
    assert audit_chain_verify().ok


def test_a_rewritten_head_is_reported(trail):
    audit_checkpoint_create()
    newest = AuditEntry.objects.get(seq=trail[-1].seq)
    newest.action = "test.forged"
    with triggers_bypassed() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET action = %s, hash = %s WHERE seq = %s",
            ["test.forged", audit_entry_digest(newest), newest.seq],
        )
    assert "differs from the checkpoint" in audit_chain_verify().problem


def test_a_tampered_checkpoint_is_reported(trail):
    audit_checkpoint_create()
    record = json.loads(checkpoint_file().read_text())
    for head in record["streams"].values():
        head["position"] += 5
    checkpoint_file().write_text(json.dumps(record) + "\n")
    assert "invalid signature" in audit_chain_verify().problem


def test_a_checkpoint_signed_with_another_key_is_reported(trail, settings, tmp_path):
    audit_checkpoint_create()
    settings.ONEWINDOW_AUDIT_CHECKPOINT_KEY_FILE = tmp_path / "other_key"
    assert "unknown key" in audit_chain_verify().problem


def test_records_spread_over_streams(department_a):
    streams = {audit_stream_for("organisations.department", str(n)) for n in range(200)}
    assert len(streams) > 8


def test_each_checkpoint_names_the_line_before_it(trail):
    first = audit_checkpoint_create()
    second = audit_checkpoint_create()
    assert first["prev"] == ""
    assert second["prev"] == sm3_hex(checkpoint_file().read_text().splitlines()[0])


def test_a_checkpoint_line_removed_from_the_middle_is_reported(trail):
    for _ in range(3):
        audit_checkpoint_create()
    lines = checkpoint_file().read_text().splitlines()
    checkpoint_file().write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert "line 2 does not follow the line before it" in audit_chain_verify().problem


def test_no_checkpoint_is_signed_over_entries_deleted_since_the_last_one(trail):
    audit_checkpoint_create()
    newest = trail[-1]
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [newest.seq])
    with pytest.raises(
        CheckpointRefused, match=f"entry #{newest.stream_seq} of the previous checkpoint is missing"
    ):
        audit_checkpoint_create()
    assert len(checkpoint_file().read_text().splitlines()) == 1


def test_the_checkpoint_command_fails_when_the_chain_changed_since_the_last_one(trail):
    audit_checkpoint_create()
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [trail[-1].seq])
    with pytest.raises(CommandError, match="checkpoint refused"):
        call_command("audit", "checkpoint")


def test_after_a_recovery_an_operator_signs_the_changed_chain_with_a_reason(trail):
    audit_checkpoint_create()
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [trail[-1].seq])
    out = StringIO()
    call_command("audit", "checkpoint", "--accept-changes", "按时间点恢复至 10:40", stdout=out)
    assert "audit checkpoint written" in out.getvalue()
    assert checkpoints_read().latest["accepted_changes"] == "按时间点恢复至 10:40"
    assert AuditEntry.objects.filter(action="audit.checkpoint_accept_changes").exists()
    assert audit_chain_verify().ok
