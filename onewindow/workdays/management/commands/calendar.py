from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core.errors import DomainError
from onewindow.workdays.selectors import calendar_days_of_year
from onewindow.workdays.services import calendar_import


class Command(BaseCommand):
    help = "The holiday calendar: `import FILE` (CSV or JSON, see docs/calendar-import.md), `show YEAR`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="load one or more years' official lists")
        load.add_argument("file")
        show = sub.add_parser("show", help="list a year's holidays and adjusted working days")
        show.add_argument("year", type=int)

    def handle(self, *args: object, **options: str) -> None:
        if options["action"] == "show":
            for day in calendar_days_of_year(int(options["year"])):
                self.stdout.write(f"{day.date}  {day.get_kind_display():<12} {day.name}  [{day.source}]")
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            source, years = calendar_import(actor=None, content=path.read_bytes(), filename=path.name)
            for imported in years:
                self.stdout.write(
                    f"{imported.year}: {imported.days} days imported from {source}; "
                    f"{imported.deadlines_recomputed} deadlines recomputed"
                )
        except DomainError as error:
            lines = [error.message] + [
                f"  第 {p.row} 行 {p.field}: {p.message}" if p.row else f"  {p.message}"
                for p in error.problems
            ]
            raise CommandError("\n".join(lines)) from error
