"""Highlighted snippets for search results: the passage of a ticket's text where the
query's words occur, with those words marked. Built in Python from the indexed text, so
both engines show the same thing; only a page of results is read."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from supportdesk.search.backends import words_of
from supportdesk.search.models import TicketDocument

WIDTH = 160


def _pattern(words: list[str]) -> re.Pattern[str]:
    # Every word matches as a prefix, as the last word of a query does in the index;
    # marking a little more than matched is better than marking nothing.
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def snippets(numbers: list[int], query: str, *, public_only: bool) -> dict[int, SafeString]:
    """For each ticket number, a short passage with the query's words in <mark>."""
    words = words_of(query)
    if not words or not numbers:
        return {}
    pattern = _pattern(words)
    fields = (
        ["ticket_id", "public_text"]
        if public_only
        else ["ticket_id", "public_text", "private_text"]
    )
    out: dict[int, SafeString] = {}
    for row in TicketDocument.objects.filter(ticket_id__in=numbers).values(*fields):
        texts = [row["public_text"]] + ([] if public_only else [row["private_text"]])
        for text in texts:
            found = pattern.search(text or "")
            if found:
                out[row["ticket_id"]] = _passage(text, found.start(), pattern)
                break
    return out


def _passage(text: str, at: int, pattern: re.Pattern[str]) -> SafeString:
    start = max(0, at - WIDTH // 3)
    # Start at a word boundary so the passage does not open mid-word.
    if start:
        space = text.find(" ", start, at)
        start = space + 1 if space != -1 else start
    passage = " ".join(text[start : start + WIDTH].split())
    marked: list[str] = []
    last = 0
    for m in pattern.finditer(passage):
        marked.append(escape(passage[last : m.start()]))
        marked.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    marked.append(escape(passage[last:]))
    prefix = "… " if start else ""
    suffix = " …" if start + WIDTH < len(text) else ""
    return mark_safe(prefix + "".join(marked) + suffix)  # noqa: S308 - every piece escaped


def highlight(text: str, terms: list[str]) -> SafeString:
    """A passage of `text` with the terms of a search marked, or its start when none
    occurs. Terms are stems: one of four letters or more marks any word it starts
    ("delet" marks "deleting"), a shorter one only itself (so "i" never marks "in")."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    if not terms:
        return _passage(text, 0, re.compile(r"(?!x)x"))
    ordered = sorted(set(terms), key=len, reverse=True)
    alternatives = "|".join(re.escape(t) + (r"\w*" if len(t) >= 4 else r"\b") for t in ordered)
    pattern = re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)
    found = pattern.search(text)
    return _passage(text, found.start() if found else 0, pattern)
