"""Counting failures per client address and minute in the cache, for the API's token
check and the login form: past the limit, every attempt from that address is refused
until the minute ends, so guessing is slow even where one check is cheap."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """The caller's address. X-Forwarded-For counts only when NINJA_NUM_PROXIES says how
    many proxies in front of us append to it: otherwise any client could send a new
    made-up address with each guess and never be limited."""
    from ninja.conf import settings as ninja_settings

    if not ninja_settings.NUM_PROXIES:
        return request.META.get("REMOTE_ADDR") or "unknown"
    return BaseThrottle().get_ident(request) or "unknown"


def _key(scope: str, address: str, window: int) -> str:
    return f"failures:{scope}:{window}:{address}"


def _window() -> tuple[int, int]:
    """The current minute's number and the seconds left in it."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    return window, max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))


def seconds_blocked(request: HttpRequest, scope: str, limit: int) -> int:
    """0 when the caller may try again, else the seconds until they may."""
    window, left = _window()
    failures = cache.get(_key(scope, client_address(request), window), 0)
    return left if failures >= limit else 0


def record_failure(request: HttpRequest, scope: str) -> None:
    window, _ = _window()
    key = _key(scope, client_address(request), window)
    # add() then incr() is atomic on every cache backend that supports incr.
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
