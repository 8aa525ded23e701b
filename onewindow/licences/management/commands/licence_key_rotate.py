from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core.errors import DomainError
from onewindow.licences.models import SignatureAlgorithm
from onewindow.licences.services import signing_key_rotate
from onewindow.organisations.models import Department


class Command(BaseCommand):
    help = (
        "Rotate a department's licence-signing key: `licence_key_rotate <credit code> [--algorithm sm2-sm3|ed25519]`. "
        "The old key is retired (it keeps verifying what it signed); new licences are signed with the new one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("credit_code", help="the department's unified social credit code")
        parser.add_argument(
            "--algorithm", default=SignatureAlgorithm.SM2_SM3, choices=SignatureAlgorithm.values
        )

    def handle(self, *args: object, **options: object) -> None:
        department = Department.objects.filter(credit_code=str(options["credit_code"]).upper()).first()
        if department is None:
            raise CommandError(f"no department with credit code {options['credit_code']}")
        try:
            key = signing_key_rotate(department=department, algorithm=str(options["algorithm"]), actor=None)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{department.name}: new key {key.key_id}")
