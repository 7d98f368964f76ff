from django.core.management.base import BaseCommand

from supportdesk.search.indexer import reindex_all


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every ticket."

    def handle(self, *args: object, **options: object) -> None:
        count = reindex_all()
        self.stdout.write(f"indexed {count} tickets")
