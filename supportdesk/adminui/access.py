"""Who may open the admin pages, and the small helpers every admin view shares.

Admins only. Customers get a 404 (the pages do not exist for them, as with tickets they
cannot see); agents and light agents get a 403 page that says who can help, since they
know the workspace has admin pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from supportdesk.agent.pages import render_workspace
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.lib.pagination import keyset_page

View = Callable[..., HttpResponse]

# Services start many messages with the name of the value at fault ("key: ...").
_FIELD_PREFIX = re.compile(r"^(\w+(?: \w+)?): (.+)$", re.DOTALL)
M = TypeVar("M", bound=models.Model)
PAGE_SIZE = 50
# Counts on the index page stop here: "1,000+" is all an admin needs to know.
COUNT_CAP = 1000


def admin_view(view: View) -> View:
    """Let admins through; 403 for the rest of the team, 404 for customers."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_agent:
            raise Http404("no such page")
        if not request.user.is_admin:
            return render_workspace(request, "adminui/forbidden.html", {}, status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def run_service(form: forms.Form, action: Callable[[], Any]) -> bool:
    """Run `action` (service calls) in one transaction; on a DomainError roll it all back
    and put the message on the form, under the field it names when the form has one."""
    try:
        with transaction.atomic():
            action()
    except DomainError as exc:
        add_domain_error(form, exc)
        return False
    return True


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    message = str(exc)
    match = _FIELD_PREFIX.match(message)
    name = match.group(1).replace(" ", "_") if match else ""
    if match and name in form.fields:
        form.add_error(name, _sentence(match.group(2)))
    else:
        form.add_error(None, _sentence(message))


def _sentence(message: str) -> str:
    """Capitalised, unless it starts with a name ("acme.test belongs to ...")."""
    first = message.split(" ", 1)[0]
    if first[:1].islower() and not any(c in first for c in "@.:/"):
        return message[:1].upper() + message[1:]
    return message


def show(
    request: AuthedRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render an admin page inside the agent workspace (the rail of queues around it).
    An htmx request for the `results` partial (a search box refreshing its list) gets
    only that partial."""
    # HtmxMiddleware sets it; AuthedRequest does not declare it.
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    if htmx and htmx.target == "results" and not (htmx.boosted or htmx.history_restore_request):
        return render(request, f"{template}#results", context, status=status)
    return render_workspace(request, template, context, status=status)


def capped_count(qs: models.QuerySet[Any], cap: int = COUNT_CAP) -> str:
    """A count that stops at `cap`, so the index page never counts a big table."""
    n = qs[: cap + 1].count()
    return f"{cap:,}+" if n > cap else f"{n:,}"


def paged(request: AuthedRequest, qs: models.QuerySet[M], order: tuple[str, ...]) -> dict[str, Any]:
    """One page of `qs` after the request's cursor, as template context: `rows`, `next`
    (the next page's cursor) and `cursor_error` for a cursor that is not ours."""
    cursor = request.GET.get("cursor") or None
    try:
        rows, next_cursor = keyset_page(qs, order=order, limit=PAGE_SIZE, cursor=cursor)
        error = ""
    except DomainError:
        rows, next_cursor = keyset_page(qs, order=order, limit=PAGE_SIZE, cursor=None)
        cursor, error = None, "That page link is out of date; here is the first page."
    return {"rows": rows, "next": next_cursor, "paged": bool(cursor), "cursor_error": error}
