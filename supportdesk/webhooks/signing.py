"""Stripe-style webhook signatures: `t=<unix time>,v1=<hex HMAC-SHA256>`.

The HMAC covers "<t>.<body>", so a receiver that checks both the signature and the age
of `t` rejects a changed body and a replayed old request. No Django here: receivers
written in Python can copy this module as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import time

DEFAULT_TOLERANCE = 300


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The `X-Supportdesk-Signature` value for `body`, signed now unless told when."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={compute_signature(secret, ts, body)}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """True when `header` signs exactly `body` with `secret` and its timestamp is at most
    `tolerance` seconds away from now. Several `v1=` values are accepted (any may match)."""
    raw = body.encode() if isinstance(body, str) else body
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = compute_signature(secret, timestamp, raw)
    return any(hmac.compare_digest(expected, c) for c in candidates)
