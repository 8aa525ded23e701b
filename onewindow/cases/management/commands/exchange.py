import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.cases.exchange import exchange_export


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = (
        "The national exchange (GB/T 39046): `export --since 2026-01-01 [--until 2026-01-31] [--output FILE]` "
        "writes one JSON line per case changed in that period (file created with mode 0600; audited)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the case records as JSON lines")
        export.add_argument("--since", required=True, help="first day (YYYY-MM-DD) of changes to export")
        export.add_argument("--until", help="last day (YYYY-MM-DD), inclusive; default: up to now")
        export.add_argument("--output", help="file to write (mode 0600); default: standard output")

    def handle(self, *args: object, **options: object) -> None:
        since = _date(str(options["since"]))
        until = _date(str(options["until"])) if options.get("until") else None
        if until is not None and until < since:
            raise CommandError("--until is before --since")
        output = Path(str(options["output"])) if options.get("output") else None
        count = exchange_export(since=since, until=until, output=output, stdout=self.stdout)
        if output is not None:
            self.stderr.write(f"exported {count} cases to {output}")
