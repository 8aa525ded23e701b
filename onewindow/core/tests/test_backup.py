"""`onewindow backup` → wipe → `onewindow restore`: identical row counts and file hashes, a verifying audit chain
against the restored checkpoints, readable uploaded files and personal data (the key ring came back too).

The round trip runs the real commands in fresh processes on a throwaway data directory (and, on PostgreSQL, in
two databases named after the test database), exactly as an operator would.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from onewindow.core.backup import backup_restore
from onewindow.core.backup.database import BackupError

ONEWINDOW = [sys.executable, "-m", "onewindow.cli"]
SEED = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from onewindow.accounts.models import User
from onewindow.core.crypto import encrypt
from onewindow.core.services import audit_record
user = User.objects.create_user(username="backup_probe", password="probe-password-1")
for n in range(30):
    audit_record(actor=user, action="backup.probe", target=user if n % 2 else None, changes={"n": n})
default_storage.save("cases/probe.txt", ContentFile("申请材料：营业执照".encode()))
default_storage.save("cases/probe.enc", ContentFile(encrypt("350102199001011234", purpose="probe").encode()))
"""
COUNTS = """
import json
from django.db import connection
from onewindow.core.backup.database import database_counts
print("COUNTS=" + json.dumps(database_counts()))
"""
# Deletes the three newest entries of the busiest stream the way someone with direct database access could:
# around the append-only triggers.
DELETE_NEWEST = """
from django.db import connection
from django.db.models import Count
from onewindow.core.models import AuditEntry
stream = AuditEntry.objects.values("stream").annotate(n=Count("seq")).order_by("-n")[0]["stream"]
newest = list(AuditEntry.objects.filter(stream=stream).order_by("-stream_seq").values_list("seq", flat=True)[:3])
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM core_auditentry WHERE seq = ANY(%s)", [newest])
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
    else:
        cursor.execute("DROP TRIGGER core_auditentry_no_delete")
        cursor.executemany("DELETE FROM core_auditentry WHERE seq = %s", [[seq] for seq in newest])
"""
READ_BACK = """
from django.core.files.storage import default_storage
from onewindow.core.crypto import decrypt
print("TEXT=" + default_storage.open("cases/probe.txt").read().decode())
print("ID=" + decrypt(default_storage.open("cases/probe.enc").read().decode(), purpose="probe"))
"""


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*ONEWINDOW, *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _counts(env: dict[str, str]) -> dict[str, int]:
    out = _run(env, "shell", "-c", COUNTS)
    return json.loads(out.split("COUNTS=", 1)[1])


def _postgres_database(name: str, *, create: bool) -> str:
    admin = connection.settings_dict
    base = f"postgres://{admin['USER']}:{admin['PASSWORD']}@{admin['HOST'] or '127.0.0.1'}:{admin['PORT'] or 5432}"
    subprocess.run(["psql", f"{base}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    if create:
        subprocess.run(["psql", f"{base}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    return f"{base}/{name}"


def _environment(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONEWINDOW_")}
    env.update(
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        ONEWINDOW_DATA_DIR=str(data_dir),
        ONEWINDOW_HTTPS="false",
        ONEWINDOW_TASKS_IMMEDIATE="true",
        LOG_LEVEL="WARNING",
    )
    env.pop("DATABASE_URL", None)
    return env


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    return _environment(tmp_path / "data")


@dataclass
class RoundTrip:
    env: dict[str, str]
    before: dict[str, int]
    names: list[str]
    archive: Path
    restore_output: str


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory) -> Iterator[RoundTrip]:
    """A platform built, checkpointed, backed up, wiped and restored — once for the tests below (a migration
    in a fresh process takes a while)."""
    root = tmp_path_factory.mktemp("backup")
    env = _environment(root / "data")
    database_name = None
    if connection.vendor == "postgresql":
        database_name = f"{connection.settings_dict['NAME']}_backup_round_trip"
        env["DATABASE_URL"] = _postgres_database(database_name, create=True)
    _run(env, "migrate", "--verbosity", "0")
    _run(env, "shell", "-c", SEED)
    _run(env, "audit", "checkpoint")
    before = _counts(env)
    archive = root / "platform.tar.gz"
    assert "backup written" in _run(env, "backup", "--output", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()

    shutil.rmtree(env["ONEWINDOW_DATA_DIR"])  # the wipe: database file, uploads, keys, checkpoints
    if database_name:
        _postgres_database(database_name, create=True)
    restored = _run(env, "restore", str(archive))
    yield RoundTrip(env, before, names, archive, restored)
    if database_name:
        _postgres_database(database_name, create=False)


def test_the_archive_is_private_and_holds_database_files_and_keys(round_trip):
    assert stat.S_IMODE(round_trip.archive.stat().st_mode) == 0o600
    names = set(round_trip.names)
    assert {
        "manifest.json",
        "secrets/data_keys",
        "secrets/secret_key",
        "secrets/audit_checkpoint_key",
    } <= names
    assert "audit/checkpoints.jsonl" in names
    assert any(name.startswith("secrets/oidc/") for name in names)
    assert any(name.startswith("database.") for name in names)
    assert sum(name.startswith("media/cases/") for name in names) == 2


def test_restore_reports_matching_counts_hashes_and_audit_chain(round_trip):
    assert "counts match the manifest" in round_trip.restore_output
    assert "hashes match" in round_trip.restore_output
    assert "audit chain intact" in round_trip.restore_output


def test_the_restored_platform_has_the_same_row_counts(round_trip):
    assert _counts(round_trip.env) == round_trip.before


def test_the_restored_audit_chain_verifies_against_the_restored_checkpoints(round_trip):
    assert "matches the newest of 1 signed checkpoints" in _run(round_trip.env, "audit", "verify")


def test_restored_files_and_personal_data_are_readable(round_trip):
    read_back = _run(round_trip.env, "shell", "-c", READ_BACK)
    assert "TEXT=申请材料：营业执照" in read_back
    assert "ID=350102199001011234" in read_back


def test_audit_verify_exits_non_zero_when_the_newest_entries_are_deleted(round_trip):
    """Last of the round-trip tests: it damages the restored platform, as someone with database access could."""
    _run(round_trip.env, "shell", "-c", DELETE_NEWEST)
    done = subprocess.run(
        [*ONEWINDOW, "audit", "verify"], env=round_trip.env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode != 0
    assert "the newest entries" in done.stderr
    assert "are missing (deleted)" in done.stderr


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    archive = tmp_path / "anything.tar.gz"
    with tarfile.open(archive, "w:gz"):
        pass
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(archive=archive)


def test_backup_refuses_to_overwrite_an_archive(environment, tmp_path):
    archive = tmp_path / "exists.tar.gz"
    archive.write_bytes(b"keep me")
    done = subprocess.run(
        [*ONEWINDOW, "backup", "--output", str(archive)], env=environment, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "already exists" in done.stderr
    assert archive.read_bytes() == b"keep me"
