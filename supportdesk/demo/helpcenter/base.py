"""The shape of a demo help-center article, and the staff who own them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Doc:
    """One demo article: where it goes, who owns it, and how readers treated it."""

    slug: str
    section: str  # a section name from CATEGORIES
    title: str
    body: str
    tags: tuple[str, ...]
    owner: str  # a staff e-mail from `people.STAFF`
    views: int = 0
    votes: tuple[int, int] = (0, 0)  # (helpful, not helpful)
    state: str = "published"
    visibility: str = "public"
    stale: bool = False  # its review date has passed, so its owner sees it as due


ADMIN, SOFIA = "admin@example.com", "sofia.rossi@example.com"
MARIA, TOM = "maria.gonzalez@example.com", "tom.becker@example.com"
PRIYA, JONAS, JAMIE = "priya.natarajan@example.com", "jonas.berg@example.com", "agent@example.com"
