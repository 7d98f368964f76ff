"""Article Markdown renders safe: no script, no javascript: link, no event handler."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from supportdesk.kb.markdown import render, render_with_text


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<img src=x onerror="alert(1)">',
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "<iframe src='https://evil.test'></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_markdown_renders_inert(body):
    for tag, attrs in elements(render(body)):
        assert tag not in {"script", "iframe", "object", "embed", "style"}
        assert not [name for name in attrs if name.startswith("on")]
        for name in ("href", "src"):
            scheme = attrs.get(name, "").strip().lower().split(":", 1)[0]
            assert scheme in {"", "http", "https", "mailto"} or "/" in scheme


def test_markdown_keeps_the_formatting_articles_need():
    html, text = render_with_text(
        "## Fix\n\n1. Open **Settings**\n2. Run `sync`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[Docs](https://example.test/docs)"
    )
    assert "<h2>Fix</h2>" in html and "<ol>" in html and "<code>sync</code>" in html
    assert "<table>" in html
    assert (
        'href="https://example.test/docs"' in html and 'rel="noopener noreferrer nofollow"' in html
    )
    assert "Open Settings" in text and "<" not in text
