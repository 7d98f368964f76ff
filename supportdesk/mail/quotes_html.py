"""`visible_html`: the rules of quotes.py applied to an HTML body, on a small tree so that
what stays keeps its formatting. See quotes.py for the rules and the client markers."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from supportdesk.mail.quotes import _LABEL, _SPACES, _El, _Line, _norm, _plan, _Text

# --- HTML: a small tree -----------------------------------------------------------------

_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen".split()
)
_RAW_TEXT = frozenset(("script", "style"))
_SKIP = frozenset(("head", "script", "style", "title", "template"))
_MEDIA = frozenset(("img", "video", "audio", "picture", "svg", "object", "embed"))
_BLOCK = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header html li main nav ol p pre section summary "
    "table tr ul".split()
)
_SELF_CLOSING = {"p": {"p"}, "li": {"li"}, "tr": {"tr"}, "td": {"td", "th"}, "th": {"td", "th"}}
_TAG_NAME = re.compile(r"^[a-z][a-z0-9:_-]*$")
_ATTR_NAME = re.compile(r"^[a-z_:][-a-z0-9_:.]*$")
_MAX_DEPTH = 200  # deeper nesting is flattened, so walking the tree never hits the stack limit


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _El("#root")
        self.stack = [self.root]

    def _append(self, node: _Text | _El) -> None:
        node.parent = self.stack[-1]
        self.stack[-1].children.append(node)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not _TAG_NAME.match(tag):  # "<jane@example.com>" written unescaped: it is text
            self.handle_data(self.get_starttag_text() or "")
            return
        closes = _SELF_CLOSING.get(tag, set())
        if self.stack[-1].tag in closes:
            self.stack.pop()
        element = _El(tag, attrs)
        self._append(element)
        if tag not in _VOID and len(self.stack) < _MAX_DEPTH:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if _TAG_NAME.match(tag):
            self._append(_El(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        last = self.stack[-1].children[-1] if self.stack[-1].children else None
        if isinstance(last, _Text):
            last.data += data
        else:
            self._append(_Text(data))


def _parse(markup: str) -> _El:
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    return builder.root


def _serialise(node: _El, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, _Text):
            raw = node.tag in _RAW_TEXT
            out.append(child.data if raw else html.escape(child.data, quote=False))
            continue
        attrs = "".join(
            f" {k}" if v is None else f' {k}="{html.escape(v, quote=True)}"'
            for k, v in child.attrs
            if _ATTR_NAME.match(k)  # html.parser lets quotes and "<" into names: never emit them
        )
        out.append(f"<{child.tag}{attrs}>")
        if child.tag not in _VOID:
            _serialise(child, out)
            out.append(f"</{child.tag}>")


def _detach(node: _Text | _El) -> None:
    if node.parent is not None and node in node.parent.children:
        node.parent.children.remove(node)


def _cut_from(node: _Text | _El, offset: int = 0) -> None:
    """Remove `node` (from `offset` on, for text) and everything after it in the document."""
    parent = node.parent
    if parent is None or node not in parent.children:
        return
    index = parent.children.index(node)
    if isinstance(node, _Text) and offset > 0:
        node.data = node.data[:offset]
        index += 1
    del parent.children[index:]
    while parent.parent is not None:
        siblings = parent.parent.children
        del siblings[siblings.index(parent) + 1 :]
        parent = parent.parent


def _has_content(node: _El) -> bool:
    for child in node.children:
        if isinstance(child, _Text):
            if child.data.strip() and node.tag not in _SKIP:
                return True
        elif child.tag in _MEDIA or (child.tag not in _SKIP and _has_content(child)):
            return True
    return False


def _trim_end(node: _El) -> None:
    """Drop what is left blank at the end: spaces, <br>, <hr>, emptied elements."""
    while node.children:
        last = node.children[-1]
        if isinstance(last, _Text):
            if last.data.strip():
                return
        elif last.tag in ("br", "hr"):
            pass
        elif last.tag in _VOID or last.tag in _MEDIA or last.tag in _SKIP:
            return
        else:
            _trim_end(last)
            if _has_content(last):
                return
        node.children.pop()


# --- HTML: client markers ---------------------------------------------------------------


def _classes(element: _El) -> list[str]:
    return element.attr("class").lower().split()


def _is_quote_container(element: _El) -> bool:
    if element.tag == "blockquote" and element.attr("type").lower() == "cite":
        return True
    names = _classes(element) + [element.attr("id").lower()]
    return any(
        "gmail_quote" in n or "yahoo_quoted" in n or "protonmail_quote" in n for n in names
    ) or any(n in ("moz-cite-prefix", "moz-forward-container") for n in names)


def _is_cut_marker(element: _El) -> bool:
    ident = element.attr("id").lower().removeprefix("x_")
    if ident in ("divrplyfwdmsg", "appendonsend", "olk_src_body_section", "stopspelling"):
        return True
    if element.tag == "hr" and ident == "zwchr":
        return True
    if element.tag == "div" and "border-top" in element.attr("style").lower():
        return bool(_LABEL.match(_leading_text(element)))
    return False


def _leading_text(element: _El, limit: int = 100) -> str:
    text, pending = "", list(reversed(element.children))
    while pending and len(text) < limit:
        node = pending.pop()
        if isinstance(node, _Text):
            text += node.data
        elif node.tag not in _SKIP:
            pending.extend(reversed(node.children))
    return _norm(_SPACES.sub(" ", text))


def _is_signature(element: _El) -> bool:
    names = _classes(element)
    return (
        "gmail_signature" in names
        or "moz-signature" in names
        or (element.attr("data-smartmail") == "gmail_signature")
    )


def _apply_markers(root: _El) -> None:
    signatures: list[_El] = []
    pending: list[_El] = [root]
    while pending:  # document order, without recursion
        element = pending.pop()
        if element is not root and _is_cut_marker(element):
            _cut_from(element)
            break
        if _is_signature(element):
            signatures.append(element)
            continue
        pending.extend(c for c in reversed(element.children) if isinstance(c, _El))
    for signature in signatures:
        _detach(signature)


# --- HTML: lines --------------------------------------------------------------------------


class _Walker:
    """Renders a tree into `_Line`s that remember the nodes they came from."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self.line = _Line()
        self.pre = 0

    def run(self, root: _El) -> list[_Line]:
        self._children(root, None, False)
        self._end()
        return self.lines

    def _start(self, node: _Text | _El, offset: int, container: _El | None, certain: bool) -> None:
        if self.line.anchor is None:
            self.line.anchor = (node, offset)
            self.line.container, self.line.certain = container, certain

    def _end(self, force: bool = False) -> None:
        line = self.line
        line.text = _SPACES.sub(" ", line.text).strip() if not self.pre else line.text
        if line.text.strip() or line.media or (force and line.anchor is not None):
            self.lines.append(line)
        self.line = _Line()

    def _add(
        self, node: _Text, start: int, stop: int, container: _El | None, certain: bool
    ) -> None:
        self._start(node, start, container, certain)
        self.line.text += node.data[start:stop]
        self.line.segments.append((node, start, stop))

    def _children(self, element: _El, container: _El | None, certain: bool) -> None:
        for child in list(element.children):
            if isinstance(child, _Text):
                self._text(child, container, certain)
            else:
                self._element(child, container, certain)

    def _text(self, node: _Text, container: _El | None, certain: bool) -> None:
        if not self.pre:
            if node.data.strip():
                self._add(node, 0, len(node.data), container, certain)
            elif self.line.text:
                self.line.text += " "
            return
        start = 0
        for piece in node.data.split("\n")[:-1]:
            self._add(node, start, start + len(piece), container, certain)
            self._end(force=True)
            start += len(piece) + 1
        if start < len(node.data):
            self._add(node, start, len(node.data), container, certain)

    def _element(self, element: _El, container: _El | None, certain: bool) -> None:
        tag = element.tag
        if tag in _SKIP:
            return
        if tag == "br":
            self._start(element, 0, container, certain)
            self.line.breaker = element
            self._end(force=True)
            return
        if tag == "hr":
            self._end()
            self._start(element, 0, container, certain)
            self.line.text = "----"
            self._end()
            return
        if tag in _MEDIA:
            self._start(element, 0, container, certain)
            self.line.media = True
            return
        if _is_quote_container(element) or tag == "blockquote":
            certain = certain or _is_quote_container(element)
            container = container or element
        block = tag in _BLOCK
        if block:
            self._end()
            self._start(element, 0, container, certain)
        elif tag in ("td", "th"):
            self.line.text += " "
        self.pre += tag == "pre"
        self._children(element, container, certain)
        self.pre -= tag == "pre"
        if block:
            self._end()


def _remove(lines: list[_Line], keep: list[bool]) -> None:
    """Apply the plan to the tree: cut after the last kept line, take out dropped lines."""
    last = max(i for i, line in enumerate(lines) if keep[i] and (_norm(line.text) or line.media))
    if last + 1 < len(lines) and lines[last + 1].anchor is not None:
        node, offset = lines[last + 1].anchor  # type: ignore[misc]
        _cut_from(node, offset)
    partly_kept = {id(line.container) for i, line in enumerate(lines[: last + 1]) if keep[i]}
    doomed: dict[int, tuple[_El, set[int]]] = {}  # parent -> children to take out, in one pass
    for i in reversed(range(last)):
        line = lines[i]
        if keep[i]:
            continue
        box = line.container
        if box is not None and id(box) not in partly_kept:
            if box.parent is not None:
                doomed.setdefault(id(box.parent), (box.parent, set()))[1].add(id(box))
            continue
        for text, start, stop in reversed(line.segments):
            text.data = text.data[:start] + text.data[stop:]
        if line.breaker is not None and line.breaker.parent is not None:
            doomed.setdefault(id(line.breaker.parent), (line.breaker.parent, set()))[1].add(
                id(line.breaker)
            )
    for parent, ids in doomed.values():
        parent.children = [c for c in parent.children if id(c) not in ids]


def visible_html(markup: str) -> str:
    """The new part of an HTML body (see the module docstring for the rules)."""
    if not markup or not markup.strip():
        return markup.rstrip() if markup else ""
    root = _parse(markup)
    _apply_markers(root)
    lines = _Walker().run(root)
    keep = _plan(lines)
    if not any(k and (_norm(line.text) or line.media) for k, line in zip(keep, lines, strict=True)):
        return markup.rstrip()
    _remove(lines, keep)
    _trim_end(root)
    if not _has_content(root):
        return markup.rstrip()
    out: list[str] = []
    _serialise(root, out)
    return "".join(out).strip()
