"""``onewindow analytics_rollup [--full]``: refresh the measures rollups now — the changed days, or every day
with ``--full`` (after a change to the official calendar, which alters past working-day counts, or a bulk
import that bypassed the models)."""

from django.core.management.base import BaseCommand

from onewindow.analytics.services import rollups_refresh


class Command(BaseCommand):
    help = "Refresh the measures dashboard's rollups (the changed days, or all with --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="recompute every day, not only changed ones")

    def handle(self, *args, **options):
        run = rollups_refresh(full=options["full"])
        kind = "full" if run.full else "incremental"
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(f"{kind} refresh: {run.days} days, {run.rows} rows in {seconds:.1f} s")
