from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "The audit trail: `verify` walks the hash chain and names the first altered or missing entry."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every entry's hash and link")

    def handle(self, *args: object, **options: object) -> None:
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(f"audit chain broken after {report.checked} good entries: {report.problem}")
        self.stdout.write(f"audit chain intact: {report.checked} entries verified")
