from django.core.management.base import BaseCommand

from onewindow.demo.data import DEMO_PASSWORD, PERSONAS, demo_load
from onewindow.demo.identity import demo_identity_summary


class Command(BaseCommand):
    help = "Load the demo data (idempotent: creates only what is missing, never overwrites)."

    def handle(self, *args: object, **options: object) -> None:
        created = demo_load()
        self.stdout.write("demo data: " + ", ".join(f"{n} {k} created" for k, n in created.items()))
        self.stdout.write(f"demo accounts (password {DEMO_PASSWORD}):")
        for persona in PERSONAS:
            self.stdout.write(f"  {persona.username:<17} {persona.description}")
        self.stdout.write(demo_identity_summary())
