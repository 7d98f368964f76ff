"""Request types for views behind a login."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from supportdesk.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request that `login_required` has let through: `user` is a real user; `htmx`
    says whether htmx sent it (django-htmx's middleware sets it on every request)."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
