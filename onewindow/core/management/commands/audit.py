from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core.audit_checkpoints import CheckpointRefused, audit_checkpoint_create, checkpoint_file
from onewindow.core.selectors import audit_chain_verify


class Command(BaseCommand):
    help = (
        "The audit trail: `verify` walks every stream's hash chain and compares it with the signed checkpoints; "
        "`checkpoint` signs the current heads into the checkpoint file and the log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every entry's hash and link, and the newest checkpoint")
        checkpoint = sub.add_parser("checkpoint", help="sign the head of every stream now")
        checkpoint.add_argument(
            "--accept-changes",
            metavar="REASON",
            default="",
            help="sign the chain even though it changed since the last checkpoint (after a point-in-time "
            "recovery); the reason is kept in the checkpoint and the audit trail",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "checkpoint":
            try:
                record = audit_checkpoint_create(accept_changes=str(options["accept_changes"]))
            except CheckpointRefused as refused:
                raise CommandError(
                    f"checkpoint refused, the audit chain was changed since the last one: {refused}. Treat it as "
                    "a security incident; only after a deliberate recovery sign it with --accept-changes REASON"
                ) from refused
            entries = sum(head["position"] for head in record["streams"].values())
            self.stdout.write(
                f"audit checkpoint written to {checkpoint_file()}: {len(record['streams'])} streams, "
                f"{entries} entries, key {record['key']}"
            )
            return
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(f"audit chain broken after {report.checked} good entries: {report.problem}")
        anchored = (
            f"; matches the newest of {report.checkpoints} signed checkpoints ({report.checkpoint_at})"
            if report.checkpoints
            else "; no signed checkpoint yet (run `onewindow audit checkpoint`)"
        )
        self.stdout.write(
            f"audit chain intact: {report.checked} entries verified in {report.streams} streams{anchored}"
        )
