from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core import clock
from onewindow.core.backup import backup_create
from onewindow.core.backup.database import BackupError


class Command(BaseCommand):
    help = (
        "Write the database, the uploaded files and the key ring into one archive (0600) with a manifest of "
        "row counts and file hashes. Restore it with `onewindow restore ARCHIVE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="archive to write (default: onewindow-backup-<time>.tar.gz in the current directory)",
        )

    def handle(self, *args: object, **options: object) -> None:
        output = options["output"] or Path(f"onewindow-backup-{clock.now():%Y%m%dT%H%M%S}.tar.gz")
        assert isinstance(output, Path)
        try:
            manifest = backup_create(output=output)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        tables = manifest["database"]["tables"]
        self.stdout.write(
            f"backup written to {output}: {len(tables)} tables, {sum(tables.values())} rows, "
            f"{len(manifest['files']) - 1} files"
        )
