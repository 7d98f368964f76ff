"""The text that ticket search looks in, one row per ticket.

The full-text index over these rows is engine-specific and created by migration 0002:
an FTS5 table kept in sync by triggers on SQLite, generated tsvector columns with GIN
indexes on PostgreSQL.
"""

from __future__ import annotations

from django.db import models


class TicketDocument(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.TextField()
    public_text = models.TextField(help_text="Public messages: what the customer may search.")
    private_text = models.TextField(help_text="Internal notes: agents only.")


class ArticleDocument(models.Model):
    """The searchable text of one knowledge-base translation, already stemmed in its
    language (`stemming.terms`), so that both engines index and rank the same terms.
    `public` (published and public) and `published` decide who finds it, with no join."""

    translation_id = models.IntegerField(primary_key=True)
    article_id = models.IntegerField(db_index=True)
    language = models.CharField(max_length=10)
    public = models.BooleanField()
    published = models.BooleanField()
    title_terms = models.TextField()
    tag_terms = models.TextField()
    body_terms = models.TextField()


class ArticleWord(models.Model):
    """Every word (unstemmed) that article text holds: the vocabulary that a query with a
    typo is corrected against. Never pruned; a stale word only finds nothing."""

    word = models.CharField(max_length=64, primary_key=True)
    length = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["length"])]
