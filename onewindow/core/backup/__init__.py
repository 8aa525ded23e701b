"""``onewindow backup`` / ``onewindow restore`` (issue #17): the database, the uploaded files and the keys that
make them readable, in one archive that restores into an empty system and proves it came back whole.

The archive (a gzip'd tar, mode 0600) holds

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the platform runs) or
  ``database.pgdump`` (``pg_dump`` custom format, taken in an exported snapshot so the row counts below are of
  exactly the rows dumped);
- ``media/…`` — every uploaded file (``MEDIA_ROOT``);
- ``secrets/…`` — the personal-data key ring (``data_keys``), ``secret_key``, the OIDC signing keys, the audit
  checkpoint key — without them the encrypted columns, sessions, ID tokens and checkpoints are unreadable;
- ``audit/checkpoints.jsonl`` — copied *before* the database, so every checkpoint it holds is covered by the dump;
- ``manifest.json`` — the row count of every table and the SHA-256 of every other member.

Keep archives as carefully as the keys inside them: off the machine, encrypted at rest (docs/deploy.md).
"""

from onewindow.core.backup.archive import backup_create, backup_restore

__all__ = ["backup_create", "backup_restore"]
