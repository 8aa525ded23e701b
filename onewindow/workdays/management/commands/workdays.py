import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.workdays.selectors import working_day_is, working_days_add, working_days_between


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期“{value}”无效，应为 YYYY-MM-DD。") from exc


class Command(BaseCommand):
    help = "Working-day arithmetic: `add DATE N`, `between DATE DATE`, `is DATE`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="the N-th working day after DATE")
        add.add_argument("start")
        add.add_argument("days", type=int)
        between = sub.add_parser("between", help="working days in (START, END]")
        between.add_argument("start")
        between.add_argument("end")
        is_ = sub.add_parser("is", help="whether DATE is a working day")
        is_.add_argument("date")

    def handle(self, *args: object, **options: str) -> None:
        action = options["action"]
        if action == "add":
            if int(options["days"]) < 0:
                raise CommandError("工作日数不能为负数。")
            due = working_days_add(_date(options["start"]), int(options["days"]))
            self.stdout.write(
                f"{due.date}"
                + ("  (provisional: no official calendar for that year)" if due.provisional else "")
            )
        elif action == "between":
            self.stdout.write(str(working_days_between(_date(options["start"]), _date(options["end"]))))
        else:
            self.stdout.write("working day" if working_day_is(_date(options["date"])) else "rest day")
