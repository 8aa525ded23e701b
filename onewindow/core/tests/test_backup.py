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


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONEWINDOW_")}
    env.update(
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        ONEWINDOW_DATA_DIR=str(tmp_path / "data"),
        ONEWINDOW_HTTPS="false",
        ONEWINDOW_TASKS_IMMEDIATE="true",
        LOG_LEVEL="WARNING",
    )
    env.pop("DATABASE_URL", None)
    return env


@pytest.mark.django_db
def test_backup_wipe_restore_gives_back_the_same_platform(environment, tmp_path):
    env = dict(environment)
    database_name = None
    if connection.vendor == "postgresql":
        database_name = f"{connection.settings_dict['NAME']}_backup_round_trip"
        env["DATABASE_URL"] = _postgres_database(database_name, create=True)
    _run(env, "migrate", "--verbosity", "0")
    _run(env, "shell", "-c", SEED)
    _run(env, "audit", "checkpoint")
    before = _counts(env)
    archive = tmp_path / "platform.tar.gz"
    assert "backup written" in _run(env, "backup", "--output", str(archive))
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {
        "manifest.json",
        "secrets/data_keys",
        "secrets/secret_key",
        "secrets/audit_checkpoint_key",
    } <= set(names)
    assert "audit/checkpoints.jsonl" in names
    assert any(name.startswith("secrets/oidc/") for name in names)
    assert sum(name.startswith("media/cases/") for name in names) == 2

    shutil.rmtree(env["ONEWINDOW_DATA_DIR"])  # the wipe: database file, uploads, keys, checkpoints
    if database_name:
        _postgres_database(database_name, create=True)

    restored = _run(env, "restore", str(archive))
    assert "counts match the manifest" in restored
    assert "audit chain intact" in restored
    assert _counts(env) == before
    assert "audit chain intact" in _run(env, "audit", "verify")
    read_back = _run(env, "shell", "-c", READ_BACK)
    assert "TEXT=申请材料：营业执照" in read_back
    assert "ID=350102199001011234" in read_back
    if database_name:
        _postgres_database(database_name, create=False)


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
