""" "Was this helpful?" on a help-center article.

One vote is stored once: pressing Yes or No records the vote at once (most readers write
nothing more), and the session remembers it. The thank-you then offers an optional
comment, which is added to that same vote (feedback.add_comment), so nothing counts twice.
Voting again on the same article in the same session changes nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.kb.feedback import MAX_COMMENT, add_comment, record_feedback
from supportdesk.kb.language import reader_language
from supportdesk.kb.models import Article, Feedback
from supportdesk.kb.views_help import article_or_404, too_many
from supportdesk.lib.errors import DomainError

VOTES_PER_MINUTE = 20
SESSION_KEY = "kb_votes"


def _votes(request: HttpRequest) -> dict[str, int]:
    return dict(request.session.get(SESSION_KEY) or {})


def feedback_context(
    request: HttpRequest, article: Article, *, error: str = "", comment: str = ""
) -> dict[str, Any]:
    """What the feedback box shows: the question, the thank-you with the comment form,
    or the thank-you for the comment."""
    vote_id = _votes(request).get(str(article.pk))
    vote = Feedback.objects.filter(pk=vote_id).first() if vote_id else None
    return {
        "vote": vote,
        "feedback_error": error,
        "feedback_comment": comment,
        "max_comment": MAX_COMMENT,
    }


def _answer(
    request: HttpRequest, article: Article, *, status: int = 200, **context: Any
) -> HttpResponse:
    """The box for htmx; without JavaScript, back to the article, which shows the box in
    its new state (an error is only shown in the htmx box: the form keeps working)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return redirect(f"/help/articles/{article.slug}/#feedback")
    full = {"article": article, **feedback_context(request, article, **context)}
    return render(request, "kb/help/article.html#feedback", full, status=status)


@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    found = article_or_404(request, slug)
    answer = request.POST.get("helpful", "")
    if answer not in ("yes", "no"):
        return _answer(request, found, status=400, error="Choose Yes or No.")
    votes = _votes(request)
    if str(found.pk) in votes:
        return _answer(request, found)
    wait = too_many(request, "help-feedback", VOTES_PER_MINUTE)
    if wait:
        response = _answer(request, found, status=429, error="Too many votes; try in a minute.")
        response["Retry-After"] = str(wait)
        return response
    reader = request.user if isinstance(request.user, User) else None
    row = record_feedback(
        found, helpful=answer == "yes", user=reader, language=reader_language(request)
    )
    votes[str(found.pk)] = row.pk
    request.session[SESSION_KEY] = votes
    return _answer(request, found)


@require_POST
def comment(request: HttpRequest, slug: str) -> HttpResponse:
    found = article_or_404(request, slug)
    text = request.POST.get("comment", "")
    vote_id = _votes(request).get(str(found.pk))
    row = Feedback.objects.filter(pk=vote_id, article=found).first() if vote_id else None
    if row is None:
        return _answer(request, found, status=400, error="Vote Yes or No first.")
    try:
        add_comment(row, comment=text)
    except DomainError as exc:
        message = str(exc).removeprefix("comment: ")
        error = message[:1].upper() + message[1:] + "."
        return _answer(request, found, status=400, error=error, comment=text)
    return _answer(request, found)
