"""Field filters typed into a search box: `status:open tag:refund printer jam`.

`parse` splits a query into the filters it names and the words left for full-text search.
Values may be quoted (`requester:"ann@acme.com"`, `group:"Second line"`) and list several
values with commas where the filter takes several (`status:open,pending`). A word with an
unknown key (`http://...`, `10:30`) stays text.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

KEYS = ("status", "priority", "group", "assignee", "requester", "organization", "tag")


@dataclass
class ParsedQuery:
    text: str
    filters: dict[str, str] = field(default_factory=dict)


def parse(query: str) -> ParsedQuery:
    try:
        tokens = shlex.split(query or "", posix=True)
    except ValueError:  # an unbalanced quote: read it as plain words
        tokens = (query or "").replace('"', "").replace("'", "").split()
    words: list[str] = []
    filters: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key.lower() in KEYS and value.strip():
            filters[key.lower()] = value.strip()
        else:
            words.append(token)
    return ParsedQuery(text=" ".join(words), filters=filters)
