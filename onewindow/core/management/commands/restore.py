from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core.backup import backup_restore
from onewindow.core.backup.database import BackupError
from onewindow.core.selectors import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Restore an archive of `onewindow backup` into an empty database and data directory, then check the "
        "row counts, the file hashes and the audit chain against the manifest and the checkpoints."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        archive = options["archive"]
        assert isinstance(archive, Path)
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist")
        try:
            report = backup_restore(archive=archive)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        audit = audit_chain_verify()
        if not audit.ok:
            report.problems.append(f"audit chain: {audit.problem}")
        if not report.ok:
            raise CommandError("restore finished with problems:\n" + "\n".join(report.problems))
        self.stdout.write(
            f"restored {report.tables} tables ({report.rows} rows, counts match the manifest) and {report.files} "
            f"files (hashes match); audit chain intact: {audit.checked} entries in {audit.streams} streams, "
            f"{audit.checkpoints} checkpoints"
        )
