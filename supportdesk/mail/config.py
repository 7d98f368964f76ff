"""The mail settings that every incoming message is checked against (our own addresses,
the block list), read once and kept in the process for a few seconds.

Ingest would otherwise read both tables for every message: two queries out of about a
dozen. A save or delete of a mailbox or a block list entry, or a changed setting, clears
the copy of the process that made it (signals, so ORM writes in tests count too); other
processes (the worker, the mail listener) see the change within CACHE_SECONDS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save

from supportdesk.mail.models import BlockedSender, Mailbox

CACHE_SECONDS = 10.0

_lock = threading.Lock()
_kept: dict[str, tuple[float, frozenset[str]]] = {}


def _cached(name: str, load: Callable[[], frozenset[str]]) -> frozenset[str]:
    now = time.monotonic()
    found = _kept.get(name)
    if found is not None and now - found[0] < CACHE_SECONDS:
        return found[1]
    value = load()
    with _lock:
        _kept[name] = (now, value)
    return value


def own_addresses() -> frozenset[str]:
    """Every address we send from, lower-case: each mailbox (enabled or not) and the
    site's sender."""
    return _cached("own", _load_own)


def blocked_patterns() -> frozenset[str]:
    """The block list: addresses and "@domain" entries, lower-case."""
    return _cached("blocked", _load_blocked)


def _load_own() -> frozenset[str]:
    ours = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
    site = parseaddr(getattr(settings, "DEFAULT_FROM_EMAIL", ""))[1].lower()
    if "@" in site:
        ours.add(site)
    return frozenset(ours)


def _load_blocked() -> frozenset[str]:
    return frozenset(BlockedSender.objects.values_list("pattern", flat=True))


def forget(**_: Any) -> None:
    """Drop the kept copies: the next message reads the tables again."""
    with _lock:
        _kept.clear()


for _model in (Mailbox, BlockedSender):
    post_save.connect(forget, sender=_model, dispatch_uid=f"mail-config-save-{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"mail-config-del-{_model.__name__}")
setting_changed.connect(forget, dispatch_uid="mail-config-settings")
