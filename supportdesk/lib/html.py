"""HTML from outside (mail, rich text) is sanitised once, before it is stored."""

from __future__ import annotations

import html as stdlib_html
import re

import nh3

_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\n{3,}")


def sanitize_html(raw: str) -> str:
    """Keep formatting, drop scripts, handlers and styles; links open safely."""
    return nh3.clean(raw, link_rel="noopener noreferrer nofollow")


def html_to_text(raw: str) -> str:
    """A readable plain-text rendering of (already sanitised) HTML, for search and mail."""
    with_breaks = _BLOCK.sub("\n", raw)
    text = stdlib_html.unescape(nh3.clean(with_breaks, tags=set()))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
