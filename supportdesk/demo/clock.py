"""Time travel for writing history through the services.

Services stamp `timezone.now()`, and model fields default to `timezone.now`, so a ticket
made by the demo loader would look as if everything happened this second. `travel()`
freezes "now" at a moment the loader moves forward step by step, so that messages, events
and the ticket's created/updated/solved/last-activity times of one story agree and lie in
the past.

Only for single-threaded loaders (the demo): the clock is process-wide while active.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.apps import apps
from django.db.models import Field
from django.utils import timezone


class Clock:
    """The frozen "now"; `set()` moves it, never backwards."""

    def __init__(self, start: datetime) -> None:
        if timezone.is_naive(start):
            raise ValueError("the clock needs an aware datetime")
        self.now = start

    def set(self, when: datetime) -> None:
        if when < self.now:
            raise ValueError(f"time travel goes forward only: {when} is before {self.now}")
        self.now = when

    def __call__(self) -> datetime:
        return self.now


def _fields_defaulting_to(fn: object) -> list[Field]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.default is fn
    ]


@contextmanager
def travel(start: datetime) -> Iterator[Clock]:
    """Inside the block, `django.utils.timezone.now()` and every model field declared with
    `default=timezone.now` give the clock's time.

    Patching the module attribute is not enough for the defaults: a field keeps a reference
    to the function it was declared with and caches it in `Field._get_default` (a cached
    property), so the cache is overridden on the field instances and dropped afterwards.
    """
    clock = Clock(start)
    real_now = timezone.now
    fields = _fields_defaulting_to(real_now)
    for field in fields:
        field.__dict__["_get_default"] = clock
    try:
        with mock.patch.object(timezone, "now", clock):
            yield clock
    finally:
        for field in fields:
            field.__dict__.pop("_get_default", None)
