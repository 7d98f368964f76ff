"""Who is calling: a personal token (`Authorization: Bearer <token>`) or the browser's
session, with Django's CSRF check for unsafe methods.

Failed token attempts count per client address (`lib.ratelimit`); past
`API_AUTH_FAILURES_PER_MINUTE` in the current minute every token attempt from that
address gets a 429 with Retry-After until the minute ends.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from supportdesk.accounts.models import User
from supportdesk.accounts.services import user_for_token
from supportdesk.lib import ratelimit
from supportdesk.lib.errors import PermissionDenied

# A token is "sd_" plus 43 characters; anything far longer is not worth hashing.
MAX_TOKEN_LENGTH = 200
SCOPE = "api-token"


def check_not_blocked(request: HttpRequest) -> None:
    wait = ratelimit.seconds_blocked(request, SCOPE, settings.API_AUTH_FAILURES_PER_MINUTE)
    if wait:
        raise Throttled(wait=wait)


def record_failure(request: HttpRequest) -> None:
    ratelimit.record_failure(request, SCOPE)


class TokenAuth(HttpBearer):
    """A personal API token. A token that is sent but wrong is a 401 at once: falling
    back to the session would hide a misconfigured client."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header and not header.lower().startswith("bearer "):
            raise AuthenticationError(message="use 'Authorization: Bearer <token>'")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> User:
        check_not_blocked(request)
        token = token.strip()
        user = user_for_token(token) if 0 < len(token) <= MAX_TOKEN_LENGTH else None
        if user is None:
            record_failure(request)
            raise AuthenticationError(message="this API token is not valid")
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session. The CSRF check runs only for a signed-in user, so
    that a client with neither a token nor a session gets a 401, not a CSRF 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if key is not None and user.is_authenticated and user.is_active:
            return user  # type: ignore[return-value]
        return None


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API request."""
    return request.auth  # type: ignore[attr-defined, no-any-return]


def require_agent(user: User) -> None:
    """People, organizations and groups are the team's records: customers get a 403 for
    the whole resource (the same for every id, so it tells them nothing)."""
    if not user.is_agent:
        raise PermissionDenied("only agents may use this resource")
