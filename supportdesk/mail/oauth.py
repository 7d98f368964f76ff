"""OAuth 2 access tokens for mailboxes that log in with XOAUTH2 (Google, Microsoft 365).

The admin stores a client id, client secret and refresh token on the mailbox (obtained
once through the provider's consent screen); `access_token` hands out the stored access
token while it is valid and otherwise trades the refresh token for a new one at the
provider's token endpoint (RFC 6749, section 6). Providers that rotate refresh tokens send
a new one with each refresh: it replaces the stored one, or the next refresh would fail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from django.utils.timezone import now

from supportdesk.mail.models import Mailbox

# A token that expires within this margin is refreshed now: a slow login must not present
# a token that runs out while the server checks it.
EARLY = timedelta(minutes=1)
DEFAULT_LIFETIME = 3600  # seconds, when the provider does not say (`expires_in`)
TIMEOUT = 30
_FIELDS = ("oauth_access_token", "oauth_expires_at", "oauth_refresh_token")


class OAuthError(Exception):
    """The token endpoint refused or could not be reached; the text says why, in the
    provider's words where it gave any (never containing a token or secret)."""


def access_token(mailbox: Mailbox) -> str:
    """A valid access token for the mailbox, refreshed when the stored one is (nearly)
    expired. Raises OAuthError."""
    if _valid(mailbox):
        return mailbox.oauth_access_token
    if mailbox.pk is not None:
        # Another process (the poller, a sender) may have refreshed it meanwhile; with
        # rotating refresh tokens ours may even be spent already.
        mailbox.refresh_from_db(fields=list(_FIELDS))
        if _valid(mailbox):
            return mailbox.oauth_access_token
    return refresh(mailbox)


def _valid(mailbox: Mailbox) -> bool:
    expires = mailbox.oauth_expires_at
    return bool(mailbox.oauth_access_token) and expires is not None and expires - EARLY > now()


def refresh(mailbox: Mailbox) -> str:
    """Trade the refresh token for a new access token and store it (with a rotated
    refresh token, if the provider sent one). Raises OAuthError."""
    missing = [
        label
        for label, value in (
            ("token URL", mailbox.oauth_token_url),
            ("client id", mailbox.oauth_client_id),
            ("refresh token", mailbox.oauth_refresh_token),
        )
        if not value
    ]
    if missing:
        raise OAuthError(f"OAuth is not set up for {mailbox.address}: no {', '.join(missing)}")
    form = {
        "grant_type": "refresh_token",
        "client_id": mailbox.oauth_client_id,
        "client_secret": mailbox.oauth_client_secret,
        "refresh_token": mailbox.oauth_refresh_token,
    }
    if not mailbox.oauth_client_secret:
        del form["client_secret"]  # public clients have none
    asked = now()
    try:
        response = httpx.post(
            mailbox.oauth_token_url,
            data=form,
            headers={"Accept": "application/json"},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise OAuthError(f"token endpoint {mailbox.oauth_token_url}: {exc}") from exc
    payload = _json(response)
    token = payload.get("access_token")
    if response.status_code != 200 or not isinstance(token, str) or not token:
        raise OAuthError(_refusal(mailbox.oauth_token_url, response, payload))
    _store(mailbox, payload, token, asked)
    return token


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _refusal(url: str, response: httpx.Response, payload: dict[str, object]) -> str:
    """The provider's reason, e.g. "invalid_grant: Token has been expired or revoked."."""
    error = str(payload.get("error") or "").strip()
    description = str(payload.get("error_description") or "").strip()
    reason = ": ".join(part for part in (error, description) if part)
    if not reason:
        reason = (
            "no access token in the answer"
            if response.status_code == 200
            else response.text.strip()[:300] or response.reason_phrase
        )
    return f"token endpoint {url} answered {response.status_code}: {reason}"


def _store(mailbox: Mailbox, payload: dict[str, object], token: str, asked: datetime) -> None:
    try:
        lifetime = int(str(payload.get("expires_in") or DEFAULT_LIFETIME))
    except ValueError:
        lifetime = DEFAULT_LIFETIME
    mailbox.oauth_access_token = token
    # Counted from when we asked: the answer took some of the token's life.
    mailbox.oauth_expires_at = asked + timedelta(seconds=max(lifetime, 0))
    rotated = payload.get("refresh_token")
    if isinstance(rotated, str) and rotated:
        mailbox.oauth_refresh_token = rotated
    if mailbox.pk is not None:  # an unsaved mailbox (a form being tested) keeps it in memory
        mailbox.save(update_fields=list(_FIELDS))


def xoauth2_string(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as Google and Microsoft define
    it: "user=" user ^A "auth=Bearer " token ^A ^A."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"
