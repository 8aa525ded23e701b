from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run one background-task worker on the database queue (django-tasks-db)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")

    def handle(self, *args: object, **options: object) -> None:
        call_command(
            "db_worker",
            queue_name="default",
            interval=options["interval"],
            batch=options["batch"],
            reload=False,
            startup_delay=not options["batch"],
            verbosity=options["verbosity"],
        )
