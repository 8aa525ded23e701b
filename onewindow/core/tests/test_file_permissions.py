"""What the platform writes is its own user's only: the data directory 0700, the SQLite database 0600
(its -wal and -shm follow it), uploaded files 0600 in 0700 directories — whatever the umask."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage


def test_settings_make_the_data_dir_and_the_database_private_under_a_lax_umask(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "ONEWINDOW_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "onewindow.settings"}
    env.pop("DATABASE_URL", None)
    code = "import os; os.umask(0o022); import onewindow.settings"
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)

    assert data.stat().st_mode & 0o777 == 0o700
    database = data / "onewindow.sqlite3"
    assert database.stat().st_mode & 0o777 == 0o600
    # SQLite gives the write-ahead log and shared memory files the database file's mode.
    old = os.umask(0o022)
    try:
        connection = sqlite3.connect(database)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        for suffix in ("-wal", "-shm"):
            assert (data / f"onewindow.sqlite3{suffix}").stat().st_mode & 0o777 == 0o600
        connection.close()
    finally:
        os.umask(old)


def test_uploaded_files_are_0600_in_0700_directories(settings, tmp_path):
    storage = FileSystemStorage(
        location=tmp_path,
        file_permissions_mode=settings.FILE_UPLOAD_PERMISSIONS,
        directory_permissions_mode=settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS,
    )
    old = os.umask(0o022)
    try:
        name = storage.save("cases/2026/scan.pdf", ContentFile(b"%PDF-1.7"))
    finally:
        os.umask(old)

    assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "cases" / "2026").stat().st_mode & 0o777 == 0o700
