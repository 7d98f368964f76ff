"""What every workspace page shares: the agent-only gate and the rail around the content."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from supportdesk.agent.rail import rail_entries, sections
from supportdesk.lib.http import AuthedRequest
from supportdesk.live.feed import current_cursor

View = TypeVar("View", bound=Callable[..., HttpResponse])


def agent_required(view: View) -> View:
    """Agents pass; customers go to their portal; anonymous visitors to the login."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_agent:  # type: ignore[union-attr]
            return redirect("/")
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def render_workspace(
    request: AuthedRequest,
    template: str,
    context: dict[str, Any],
    *,
    current_key: str = "",
    status: int = 200,
) -> HttpResponse:
    """Render `template` (which extends agent/workspace.html) with the rail filled in."""
    entries = rail_entries(request.user)
    context = {
        "live_since": current_cursor(),
        **context,
        "rail_sections": sections(entries),
        "rail_missing": any(e.count is None for e in entries),
        "current_key": current_key,
    }
    return render(request, template, context, status=status)
