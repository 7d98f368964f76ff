"""The shape of a topic and the priority mixes topics share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    group: str
    types: tuple[str, ...]  # drawn uniformly: repeat a value to weight it
    priorities: tuple[str, ...]
    tags: tuple[str, ...]
    fields: tuple[str, ...]  # custom fields the ticket fills: order_number, product, plan
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    asks: tuple[str, ...]
    answers: tuple[str, ...]
    solutions: tuple[str, ...]
    notes: tuple[str, ...]


NORMAL = ("low", "normal", "normal", "normal", "high")
PRESSING = ("normal", "high", "high", "urgent")
