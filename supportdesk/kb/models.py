"""The knowledge base: articles in sections of categories, one translation per language,
every saved version kept, and what readers do with them (votes, views, links from
replies, searches, suggestions that answered a request before it was filed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal (agents only)"


class Category(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """What is the same in every language: where it lives, who owns it, its state."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=200, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_language = models.CharField(max_length=10, default="en")
    tags = models.JSONField(default=list, blank=True)
    review_by = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # Counters kept by the services, so that lists never count rows.
    views = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    linked_in_replies = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["state", "visibility", "-views"]),
            models.Index(fields=["section", "state", "position"]),
            models.Index(fields=["owner", "review_by"]),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_public(self) -> bool:
        return self.state == State.PUBLISHED and self.visibility == Visibility.PUBLIC


class Translation(models.Model):
    """An article's title and Markdown body in one language, with the sanitised HTML and
    plain text rendered from it when saved."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown.")
    html = models.TextField()
    text = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="kb_one_per_language")
        ]


class Revision(models.Model):
    """A saved version of one translation; restoring one saves it again as the newest."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["article", "language", "-id"])]


class Feedback(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(max_length=10)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["article", "-created_at"])]


class ReplyLink(models.Model):
    """An article linked from an agent's reply: how authors see which articles work."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reply_links")
    ticket_id = models.IntegerField()
    message_id = models.IntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "message_id"], name="kb_link_once")
        ]


class SearchLog(models.Model):
    """One search in the help center or the request form, for top searches and gaps."""

    query = models.CharField(max_length=200, db_index=True)
    results = models.PositiveIntegerField()
    corrected = models.BooleanField(default=False, help_text="Found only with typo tolerance.")
    clicked = models.BooleanField(default=False)
    where = models.CharField(max_length=20, default="help")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)


class SuggestionOpen(models.Model):
    """A visitor opened an article suggested while writing a request. Filing a request
    within 24 hours sets `request_number`; an open without one, older than a day, is a
    deflected request."""

    visitor = models.CharField(max_length=64, db_index=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    request_number = models.IntegerField(null=True, blank=True)
