"""Readers' votes ("Was this helpful?") and their comments, which reach the owner."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from supportdesk.accounts.models import User
from supportdesk.kb.models import Article, Feedback
from supportdesk.kb.subscribers import FEEDBACK_KIND
from supportdesk.lib.errors import DomainError
from supportdesk.notify.notifications import notify_agents

MAX_COMMENT = 2000


@transaction.atomic
def record_feedback(
    article: Article, *, helpful: bool, comment: str = "", user: User | None = None,
    language: str = "",
) -> Feedback:  # fmt: skip
    """Count a vote; a comment (or a "no") is sent to the article's owner."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(f"comment: at most {MAX_COMMENT} characters")
    reader = user if user is not None and user.is_authenticated else None
    row = Feedback.objects.create(
        article=article, language=language or article.default_language, helpful=helpful,
        comment=comment, user=reader,
    )  # fmt: skip
    counter = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    if comment and article.owner is not None:
        _tell_owner(article, row)
    return row


@transaction.atomic
def add_comment(row: Feedback, *, comment: str) -> Feedback:
    """The reader's comment on the vote they just gave: the help center stores the vote
    at once (most readers write nothing) and the comment onto that vote, so it counts once."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("comment: write a comment, or leave the box")
    if len(comment) > MAX_COMMENT:
        raise DomainError(f"comment: at most {MAX_COMMENT} characters")
    if row.comment:
        raise DomainError("comment: this vote already has a comment")
    row.comment = comment
    row.save(update_fields=["comment"])
    article = Article.objects.select_related("owner").get(pk=row.article_id)
    if article.owner is not None:
        _tell_owner(article, row)
    return row


def _tell_owner(article: Article, row: Feedback) -> None:
    assert article.owner is not None  # noqa: S101 - checked by the caller
    title = article.translations.filter(language=row.language).values_list("title", flat=True)
    name = next(iter(title), article.slug)
    vote = "helpful" if row.helpful else "not helpful"
    notify_agents(
        FEEDBACK_KIND,
        users=[article.owner],
        ticket=None,
        text=f"“{name}” was rated {vote}: {row.comment}",
        email_subject=f"Feedback on “{name}”",
        email_body=(
            f"A reader rated your article “{name}” {vote} and wrote:\n\n{row.comment}\n\n"
            f"All feedback: /agent/kb/articles/{article.pk}/"
        ),
    )
