"""The saved-view editor: create, change, preview and delete a view, as a plain form.

Every button posts the whole form. "Add a condition", "Remove" and "Preview" answer with
the form again (nothing saved); the default button saves. With htmx, changing a row's
field or operator re-renders only that row (`row` names it), so its inputs fit the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.agent.view_editor_form import ViewForm
from supportdesk.agent.view_editor_rows import PARTS, Catalogue, fit_operator, inputs
from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied
from supportdesk.lib.http import AuthedRequest
from supportdesk.queues.models import SavedView
from supportdesk.queues.queries import access_view, capped_count, tickets_in_view
from supportdesk.queues.services import delete_view
from supportdesk.tickets.queries import page_tickets

EDIT_TEMPLATE = "agent/view_edit.html"
ROW_TEMPLATE = "agent/view_edit_row.html"
PREVIEW_SIZE = 10
SHARED_ONLY_ADMINS = "Only admins change shared views."


def _view(request: AuthedRequest, view_id: int) -> SavedView:
    """The view if the agent may see it; someone else's personal view is a 404."""
    try:
        return access_view(request.user, view_id)
    except NotFound as exc:
        raise Http404("no such view") from exc


def _forbidden(request: AuthedRequest, view: SavedView) -> HttpResponse:
    context = {"view": view, "message": SHARED_ONLY_ADMINS, **_urls(view)}
    return render_workspace(
        request, "agent/view_edit_forbidden.html", context, current_key=f"v{view.pk}", status=403
    )


@agent_required
@require_http_methods(["GET", "POST"])
def view_new(request: AuthedRequest) -> HttpResponse:
    """A new view; `?copy=<id>` starts from a view the agent can see (a shared one, say)."""
    start = None
    copy_id = request.GET.get("copy", "")
    if request.method == "GET" and copy_id.isdigit() and len(copy_id) < 19:
        start = _view(request, int(copy_id))
    return _editor(request, None, start=start)


@agent_required
@require_http_methods(["GET", "POST"])
def view_edit(request: AuthedRequest, view_id: int) -> HttpResponse:
    view = _view(request, view_id)
    if view.shared and not request.user.is_admin:
        return _forbidden(request, view)
    return _editor(request, view)


def _editor(
    request: AuthedRequest, view: SavedView | None, *, start: SavedView | None = None
) -> HttpResponse:
    catalogue = Catalogue()
    if request.method == "GET":
        form = ViewForm.from_view(view or start, catalogue)
        if start is not None:
            form.name, form.shared = f"Copy of {start.name}", False
        return _page(request, view, form, catalogue)
    form = ViewForm.from_post(request.POST)
    post = request.POST
    # The row refresh is an htmx request only; a plain form never sends `row`.
    if request.headers.get("HX-Request") == "true" and post.get("row"):
        return _row(request, form, catalogue, str(post["row"]))
    if post.get("remove"):
        form.remove_row(str(post["remove"]))
    elif post.get("add_all") or post.get("add_any"):
        form.add_row("all" if post.get("add_all") else "any")
    elif post.get("preview"):
        return _page(request, view, form, catalogue, preview=_preview(request, form, catalogue))
    else:
        saved = form.save(by=request.user, view=view, catalogue=catalogue)
        if saved is not None:
            verb = "created" if view is None else "saved"
            messages.success(request, f"View “{saved.name}” {verb}.")
            return redirect("agent:queue", key=f"v{saved.pk}")
        status = 403 if form.denied else 400
        return _page(request, view, form, catalogue, status=status)
    return _page(request, view, form, catalogue)


def _row(request: AuthedRequest, form: ViewForm, catalogue: Catalogue, prefix: str) -> HttpResponse:
    row = form.find_row(prefix)
    if row is None:
        return HttpResponse("That condition is gone; reload the page.", status=400)
    fit_operator(row, catalogue)
    context = {"r": inputs(row, catalogue), "form_url": request.path}
    return render(request, ROW_TEMPLATE, context)


def _preview(request: AuthedRequest, form: ViewForm, catalogue: Catalogue) -> dict[str, Any]:
    """How many tickets the unsaved conditions select, and the first few, in the sort."""
    conditions = form.conditions(catalogue)
    if conditions is None:
        return {"error": "Fix the conditions marked in red to see a preview."}
    draft = SavedView(owner=request.user, conditions=conditions)
    tickets = tickets_in_view(request.user, draft)
    count, more = capped_count(tickets)
    try:
        first, _ = page_tickets(tickets, sort=form.sort, limit=PREVIEW_SIZE, cursor=None)
    except DomainError:
        first, _ = page_tickets(tickets, sort="-updated_at", limit=PREVIEW_SIZE, cursor=None)
    return {"count": count, "more": more, "tickets": first}


def _urls(view: SavedView | None) -> dict[str, str]:
    if view is None:
        return {"form_url": reverse("agent:view_new")}
    return {
        "form_url": reverse("agent:view_edit", args=[view.pk]),
        "queue_url": reverse("agent:queue", args=[f"v{view.pk}"]),
    }


def _page(
    request: AuthedRequest,
    view: SavedView | None,
    form: ViewForm,
    catalogue: Catalogue,
    *,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    sections = [(part, [inputs(row, catalogue) for row in form.rows[part]]) for part in PARTS]
    context = {
        "view": view,
        "form": form,
        "sections": sections,
        "preview": preview,
        "can_share": request.user.is_admin,
        **_urls(view),
    }
    key = f"v{view.pk}" if view is not None else ""
    return render_workspace(request, EDIT_TEMPLATE, context, current_key=key, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def view_delete(request: AuthedRequest, view_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    view = _view(request, view_id)
    if view.shared and not request.user.is_admin:
        return _forbidden(request, view)
    if request.method == "POST":
        try:
            delete_view(view, by=request.user)
        except PermissionDenied:
            return _forbidden(request, view)
        messages.success(request, f"View “{view.name}” deleted.")
        return redirect("agent:index")
    context = {"view": view, **_urls(view)}
    return render_workspace(
        request, "agent/view_edit_delete.html", context, current_key=f"v{view.pk}"
    )
