"""Article bodies are Markdown, rendered once when saved. Raw HTML in the source is shown
as text (markdown-it's `html` option off), and the output is sanitised with nh3 all the
same, so no script, `javascript:` link or event handler reaches a reader."""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

from supportdesk.lib.html import html_to_text

TROUBLESHOOTING_TEMPLATE = """## Symptom

What the customer sees: the message, the screen, when it happens.

## Cause

Why it happens.

## Fix

1. First step.
2. Second step.
"""


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render(body: str) -> str:
    """Sanitised HTML of a Markdown body."""
    raw = _parser().render(body or "")
    return nh3.clean(
        raw, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto"}
    )


def render_with_text(body: str) -> tuple[str, str]:
    """The HTML and a plain-text version of it (for search, snippets and mail)."""
    html = render(body)
    return html, html_to_text(html)
