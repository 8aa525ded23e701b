from django.core.management.base import BaseCommand, CommandParser

from onewindow.core.scheduler import scheduler_run


class Command(BaseCommand):
    help = "Run the periodic-job scheduler. Start one per machine: only the lease holder enqueues jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between ticks")
        parser.add_argument("--max-ticks", type=int, default=None, help="stop after N ticks (tests)")

    def handle(self, *args: object, **options: object) -> None:
        scheduler_run(tick_seconds=float(options["tick"]), max_ticks=options["max_ticks"])  # type: ignore[arg-type]
