"""Writing and reading the backup archive, and the checks a restore must pass."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from onewindow.core import clock
from onewindow.core.audit_checkpoints import checkpoint_file, checkpoint_key_file
from onewindow.core.backup.database import (
    BackupError,
    database_counts,
    database_dump,
    database_is_empty,
    database_load,
)

MANIFEST = "manifest.json"
FORMAT = "onewindow-backup/1"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(path for path in root.rglob("*") if path.is_file())


def _sources() -> list[tuple[str, Path]]:
    """(name in the archive, file on disk) for every file besides the database, secrets first.

    The checkpoint file is read before the database is dumped (see the package docstring).
    """
    data_dir = Path(settings.DATA_DIR)
    members: list[tuple[str, Path]] = []
    for name in ("secret_key", "data_keys"):
        if (data_dir / name).is_file():
            members.append((f"secrets/{name}", data_dir / name))
    members += [
        (f"secrets/oidc/{p.relative_to(data_dir / 'oidc')}", p) for p in _files_under(data_dir / "oidc")
    ]
    if checkpoint_key_file().is_file():
        members.append(("secrets/audit_checkpoint_key", checkpoint_key_file()))
    if checkpoint_file().is_file():
        members.append(("audit/checkpoints.jsonl", checkpoint_file()))
    media = Path(settings.MEDIA_ROOT)
    members += [(f"media/{p.relative_to(media)}", p) for p in _files_under(media)]
    return members


def _destination(name: str) -> Path:
    """Where a member of the archive goes back to, under this system's settings."""
    top, _, rest = name.partition("/")
    data_dir = Path(settings.DATA_DIR)
    if name == "secrets/audit_checkpoint_key":
        return checkpoint_key_file()
    if name == "audit/checkpoints.jsonl":
        return checkpoint_file()
    if top == "secrets":
        return data_dir / rest
    if top == "media":
        return Path(settings.MEDIA_ROOT) / rest
    raise BackupError(f"unexpected member {name!r} in the archive")


def backup_create(*, output: Path) -> dict[str, Any]:
    """Write the archive to ``output`` (0600, never overwriting) and return its manifest."""
    if output.exists():
        raise BackupError(f"{output} already exists; choose a new file name")
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="onewindow-backup-") as scratch:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for name, path in _sources():
                files[name] = _sha256(path)
                tar.add(path, arcname=name, recursive=False)
            database_file, counts = database_dump(Path(scratch))
            files[database_file] = _sha256(Path(scratch) / database_file)
            tar.add(Path(scratch) / database_file, arcname=database_file)
            manifest = {
                "format": FORMAT,
                "created_at": clock.now().isoformat(timespec="seconds"),
                "database": {"vendor": connection.vendor, "file": database_file, "tables": counts},
                "files": files,
                "secret_key_from_environment": bool(os.environ.get("SECRET_KEY")),
                "data_keys_from_environment": bool(os.environ.get("ONEWINDOW_DATA_KEYS")),
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(clock.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
    return manifest


@dataclass
class RestoreReport:
    """What a restore put back and what it checked."""

    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _member_names(tar: tarfile.TarFile) -> list[str]:
    names = []
    for member in tar.getmembers():
        if not member.isfile():
            raise BackupError(f"the archive holds {member.name!r}, which is not a regular file")
        names.append(member.name)
    return names


def backup_restore(*, archive: Path) -> RestoreReport:
    """Restore the archive into an empty database and data directory, then check counts, hashes and the audit
    chain. Refuses (nothing written) if the database has tables or MEDIA_ROOT has files."""
    if not database_is_empty():
        raise BackupError("the database is not empty: restore into a newly created, unmigrated database")
    if any(_files_under(Path(settings.MEDIA_ROOT))):
        raise BackupError(f"{settings.MEDIA_ROOT} holds files: restore into an empty data directory")
    with (
        tarfile.open(archive, mode="r:gz") as tar,
        tempfile.TemporaryDirectory(prefix="onewindow-restore-") as scratch,
    ):
        names = _member_names(tar)
        if MANIFEST not in names:
            raise BackupError(f"{archive} is not an onewindow backup (no {MANIFEST})")
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        if manifest["database"]["vendor"] != connection.vendor:
            raise BackupError(
                f"the backup is of a {manifest['database']['vendor']} database; this system uses {connection.vendor}"
            )
        # "data" refuses absolute names, "..", links and device files (PEP 706).
        tar.extractall(scratch, filter="data")
        report = RestoreReport(manifest)
        for name, expected in manifest["files"].items():
            if _sha256(Path(scratch) / name) != expected:
                raise BackupError(f"{name} in the archive does not match its hash: the archive is damaged")
        database_load(Path(scratch) / manifest["database"]["file"])
        for name in manifest["files"]:
            if name == manifest["database"]["file"]:
                continue
            target = _destination(name)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(Path(scratch) / name, target)
            os.chmod(target, 0o600)
            if _sha256(target) != manifest["files"][name]:
                report.problems.append(f"{name}: restored file differs from the archive")
            report.files += 1
    counts = database_counts()
    for table, expected_rows in manifest["database"]["tables"].items():
        if counts.get(table) != expected_rows:
            report.problems.append(
                f"table {table}: {counts.get(table)} rows restored, {expected_rows} backed up"
            )
    report.tables, report.rows = len(counts), sum(counts.values())
    return report
