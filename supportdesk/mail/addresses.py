"""Reply addresses that name their ticket: `support+1234-k3f9x2ab@example.com`.

The token is an HMAC of the mailbox address and the ticket number under the site's secret
key, so a customer who edits the number gets an address that threads nowhere, and the
address works even when a mail client drops every threading header.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

TOKEN_LENGTH = 8
_TAGGED = re.compile(
    r"^(?P<local>[^+@]+)\+(?P<ticket>\d{1,12})-(?P<token>[a-z0-9]{8})@(?P<domain>.+)$"
)


def _token(address: str, ticket_id: int) -> str:
    key = settings.SECRET_KEY.encode()
    data = f"reply:{address.lower()}:{ticket_id}".encode()
    digest = hmac.new(key, data, hashlib.sha256).hexdigest()
    return digest[:TOKEN_LENGTH]


def reply_address(mailbox_address: str, ticket_id: int) -> str:
    """The address a reply on this ticket should go to."""
    local, _, domain = mailbox_address.partition("@")
    token = _token(mailbox_address, ticket_id)
    return f"{local}+{ticket_id}-{token}@{domain}"


def base_address(address: str) -> str:
    """support+anything@example.com -> support@example.com."""
    local, at, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}{at}{domain}".lower()


def ticket_of_address(address: str) -> int | None:
    """The ticket a reply address names, if its token is genuine."""
    found = _TAGGED.match(address.strip().lower())
    if not found:
        return None
    ticket_id = int(found["ticket"])
    mailbox_address = f"{found['local']}@{found['domain']}"
    if hmac.compare_digest(found["token"], _token(mailbox_address, ticket_id)):
        return ticket_id
    return None
