"""Which language a help-center reader reads in."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header

from supportdesk.kb.models import Translation

# Every page asks; the set changes only when an author adds a language. A few seconds of
# staleness (a brand-new language not offered yet) is fine and saves a query per page.
TTL_SECONDS = 5.0
_cached: tuple[float, frozenset[str]] | None = None


def available_languages() -> frozenset[str]:
    """The languages at least one translation is written in."""
    global _cached
    now = time.monotonic()
    if _cached is None or now - _cached[0] > TTL_SECONDS:
        found = Translation.objects.values_list("language", flat=True).distinct()
        _cached = (now, frozenset(found))
    return _cached[1]


def forget_languages() -> None:
    """Drop the cached set (tests that add languages call it)."""
    global _cached
    _cached = None


def _best_of_header(header: str, offered: frozenset[str]) -> str:
    """The visitor's most wanted language we have: exact tag first, then its primary
    subtag ("pt-br" reads "pt"), in the order of the header's weights."""
    for tag, _weight in parse_accept_lang_header(header[:500]):
        tag = tag.lower()
        if tag in offered:
            return tag
        primary = tag.split("-", 1)[0]
        if primary in offered:
            return primary
    return ""


def reader_language(request: HttpRequest) -> str:
    """`?lang=` when some translation has it, else the signed-in user's language, else the
    best Accept-Language match among languages with translations, else the default. Kept
    on the request for the page's `<html lang>`."""
    language = _reader_language(request)
    request.kb_language = language  # type: ignore[attr-defined]
    return language


def _reader_language(request: HttpRequest) -> str:
    offered = available_languages()
    asked = (request.GET.get("lang") or "").strip().lower()[:10]
    if asked and asked in offered:
        return asked
    user = getattr(request, "user", None)
    own = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if own:
        return str(own).lower()
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    return _best_of_header(header, offered) or settings.KB_DEFAULT_LANGUAGE
