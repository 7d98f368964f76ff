"""/help/suggest/: articles that may answer a request while the customer writes it (the
portal's new-request form asks as they type). Not logged as searches: half-typed words
would drown the real ones in top searches and gaps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from supportdesk.kb.language import reader_language
from supportdesk.kb.search import search
from supportdesk.kb.views_help import too_many

MIN_CHARS = 3
SUGGESTIONS = 5
# One request per pause in typing: a fast typist makes a few dozen a minute at most.
SUGGESTS_PER_MINUTE = 120


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    subject = " ".join(request.GET.get("subject", "").split())
    body = " ".join(request.GET.get("body", "").split())
    # The subject says most; the search keeps the first 200 characters.
    text = f"{subject} {body}".strip()[:200]
    results = []
    if len(text) >= MIN_CHARS and not too_many(request, "help-suggest", SUGGESTS_PER_MINUTE):
        # As a visitor, whoever asks: suggestions are only ever public articles, since
        # they answer a customer's request.
        found = search(text, user=None, language=reader_language(request), limit=SUGGESTIONS)
        results = found.results
    return render(request, "kb/help/suggestions.html", {"results": results})
