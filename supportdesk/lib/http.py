"""Request types for views behind a login."""

from __future__ import annotations

from django.http import HttpRequest

from supportdesk.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request that `login_required` has let through: `user` is a real user."""

    user: User  # type: ignore[assignment]
