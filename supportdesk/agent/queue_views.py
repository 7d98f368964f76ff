"""Queue pages: the tickets of one view, sortable, a page at a time, with bulk actions."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from supportdesk.accounts.models import Role, User
from supportdesk.agent.cells import with_cells
from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.agent.rail import rail_entries, sections
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.queues.builtin import Queue, queue_for
from supportdesk.queues.models import COLUMN_LABELS
from supportdesk.tickets.models import Priority, Status
from supportdesk.tickets.queries import SORTS, page_tickets_merged, with_list_relations

PAGE_SIZE = 50
# Headers are short: the list is wide.
HEADERS = {**COLUMN_LABELS, "number": "#", "updated_at": "Updated"}
# The column header that sorts, and by which of SORTS (keyset-paginated, index-backed).
SORTABLE = {
    "number": "number",
    "created_at": "number",
    "updated_at": "updated_at",
    "sla": "sla_due_at",
}


@agent_required
def index(request: AuthedRequest) -> HttpResponse:
    return redirect("agent:queue", key="mine")


@agent_required
@require_GET
def rail(request: AuthedRequest) -> HttpResponse:
    """The rail with fresh counts, which the page asks for after it is shown."""
    entries = rail_entries(request.user, compute=True)
    context = {
        "rail_sections": sections(entries),
        "rail_missing": False,
        "current_key": request.GET.get("current", ""),
    }
    return render(request, "agent/rail.html", context)


@agent_required
@require_GET
def queue(request: AuthedRequest, key: str) -> HttpResponse:
    try:
        q = queue_for(request.user, key)
    except NotFound as exc:
        raise Http404("no such view") from exc
    sort = request.GET.get("sort") or q.sort
    if sort not in SORTS:
        sort = q.sort
    error = ""
    try:
        parts = q.parts() if q.parts else [q.tickets()]
        tickets, next_cursor = page_tickets_merged(
            [with_list_relations(part) for part in parts],
            sort=sort,
            limit=PAGE_SIZE,
            cursor=request.GET.get("cursor") or None,
        )
    except DomainError as exc:
        tickets, next_cursor, error = [], None, str(exc)
    context = {
        "queue": q,
        "tickets": with_cells(tickets, q.columns),
        "next_cursor": next_cursor,
        "first_page": not request.GET.get("cursor"),
        "sort": sort,
        "columns": _columns(q, sort),
        "error": error,
        **bulk_choices(),
    }
    template = "agent/queue.html"
    if request.htmx and request.htmx.target == "ticket-list":
        template = "agent/queue.html#ticket-list"
    return render_workspace(request, template, context, current_key=q.key)


def _columns(q: Queue, sort: str) -> list[dict[str, str]]:
    """Each visible column with its label and, where it sorts, the sort its header links to."""
    columns = []
    for key in q.columns:
        col = {"key": key, "label": HEADERS.get(key, key), "sort": "", "aria_sort": ""}
        if key in SORTABLE:
            base = SORTABLE[key]
            descending = sort == f"-{base}"
            col["sort"] = base if descending or f"-{base}" not in SORTS else f"-{base}"
            if sort.lstrip("-") == base:
                col["aria_sort"] = "descending" if descending else "ascending"
        columns.append(col)
    return columns


def bulk_choices() -> dict[str, object]:
    """What the bulk bar offers: agents to assign, statuses and priorities."""
    agents = User.objects.filter(role__in=[Role.ADMIN, Role.AGENT], is_active=True).order_by(
        "name", "email"
    )
    return {
        "agents": list(agents.only("pk", "name", "email")),
        "statuses": [s for s in Status if s != Status.NEW],
        "priorities": list(Priority),
        "bulk_url": reverse("agent:bulk"),
    }
