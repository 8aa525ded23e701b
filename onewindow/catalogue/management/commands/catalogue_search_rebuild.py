"""``onewindow catalogue_search_rebuild``: rebuild the search index from the published catalogue (after an
import, or after editing search_data/synonyms.txt or userdict.txt)."""

from django.core.management.base import BaseCommand

from onewindow.catalogue.search import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the catalogue search index from the published items and bundles."

    def handle(self, *args, **options):
        count = search_index_rebuild()
        self.stdout.write(f"indexed {count} documents")
