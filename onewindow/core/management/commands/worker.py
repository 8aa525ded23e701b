from django.core.management.base import BaseCommand, CommandParser
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS

from onewindow.core.worker import ResilientWorker, worker_identity


class Command(BaseCommand):
    help = (
        "Run one background-task worker on the database queue (django-tasks-db). It survives the database "
        "going away (waits and reconnects) and heartbeats so a task it leaves behind is retried."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after running N tasks")

    def handle(self, *args: object, **options: object) -> None:
        worker = ResilientWorker(
            queue_names=["default"],
            interval=float(options["interval"]),  # type: ignore[arg-type]
            batch=bool(options["batch"]),
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],  # type: ignore[arg-type]
            worker_id=worker_identity(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
