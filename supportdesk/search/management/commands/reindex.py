from django.core.management.base import BaseCommand

from supportdesk.kb.services import reindex_all as reindex_articles
from supportdesk.search.indexer import reindex_all


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every ticket and knowledge-base article."

    def handle(self, *args: object, **options: object) -> None:
        count = reindex_all()
        self.stdout.write(f"indexed {count} tickets")
        articles = reindex_articles()
        self.stdout.write(f"indexed {articles} article translations")
