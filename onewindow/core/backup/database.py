"""Dumping and restoring the database itself: SQLite's online backup API, PostgreSQL's pg_dump / pg_restore."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _pg_command(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """libpq connection options for the pg_* tools, the password through the environment (not argv)."""
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _tables(cursor: Any) -> list[str]:
    names = connection.introspection.table_names(cursor)
    return sorted(name for name in names if not name.startswith("sqlite_"))


def _count_rows(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608  (our own names)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def database_dump(target_dir: Path) -> tuple[str, dict[str, int]]:
    """Dump the database into ``target_dir``; return the file name and the row count of every table in it."""
    if connection.vendor == "sqlite":
        name = "database.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target_dir / name)
        try:
            source.backup(copy)
            tables = [
                row[0]
                for row in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            counts = {t: int(copy.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}  # noqa: S608
        finally:
            copy.close()
            source.close()
        return name, counts
    if connection.vendor == "postgresql":
        name = "database.pgdump"
        args, env = _pg_command(connection.settings_dict)
        with connection.cursor() as cursor:
            # One snapshot for the dump and the counts: the manifest describes exactly what was dumped.
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            try:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                dump = subprocess.run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        f"--snapshot={snapshot}",
                        "--file",
                        str(target_dir / name),
                        *args,
                    ],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if dump.returncode != 0:
                    raise BackupError(f"pg_dump failed: {dump.stderr.strip()}")
                counts = _count_rows(cursor, _tables(cursor))
            finally:
                cursor.execute("COMMIT")
        return name, counts
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def database_is_empty() -> bool:
    """No table at all: a restore never mixes with existing data (create a new database, do not migrate it)."""
    with connection.cursor() as cursor:
        return not _tables(cursor)


def database_load(source: Path) -> None:
    """Put the dumped database in place of the (empty) configured one."""
    if connection.vendor == "sqlite":
        connection.close()
        target = sqlite3.connect(connection.settings_dict["NAME"])
        dump = sqlite3.connect(source)
        try:
            dump.backup(target)
        finally:
            dump.close()
            target.close()
        os.chmod(connection.settings_dict["NAME"], 0o600)
        return
    args, env = _pg_command(connection.settings_dict)
    connection.close()
    restore = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", *args, str(source)],
        env=env,
        capture_output=True,
        text=True,
    )
    if restore.returncode != 0:
        raise BackupError(f"pg_restore failed: {restore.stderr.strip()}")


def database_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count_rows(cursor, _tables(cursor))
