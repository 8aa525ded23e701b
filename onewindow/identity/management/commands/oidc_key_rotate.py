"""``onewindow oidc_key_rotate``: make a new ID-token signing key in the data directory. The current key
stays published in the JWKS (as inactive) so tokens it signed still verify; restart every process to sign
with the new key. Not for keys the operator names with ONEWINDOW_OIDC_KEY_FILE (docs/sso.md)."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.errors import DomainError
from onewindow.identity.oidc.services import oidc_signing_key_rotate


class Command(BaseCommand):
    help = "Rotate the OpenID Connect ID-token signing key (the old key stays in the JWKS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-inactive",
            type=int,
            default=3,
            help="how many retired keys stay published (default 3); older ones are deleted",
        )

    def handle(self, *args, **options):
        if options["keep_inactive"] < 1:
            raise CommandError(
                "--keep-inactive must be at least 1: tokens signed with the current key must still verify"
            )
        try:
            new_kid, retired_kid = oidc_signing_key_rotate(keep_inactive=options["keep_inactive"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"new signing key {new_kid}; {retired_kid} stays published until it is pruned")
        self.stdout.write("restart every onewindow process (web, workers) to sign with the new key")
