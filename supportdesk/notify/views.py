"""The agent's notifications: the list, opening one, the bell fragment, preferences."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.notify import notifications
from supportdesk.notify.forms import PreferencesForm
from supportdesk.notify.queries import page_notifications

LIST = "agent:notify:list"
PREFERENCES = "agent:notify:preferences"


@agent_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    error = ""
    try:
        items, next_cursor = page_notifications(request.user, cursor=cursor)
    except DomainError as exc:
        error = str(exc)
        items, next_cursor = page_notifications(request.user, cursor=None)
    context = {
        "items": items,
        "next_cursor": next_cursor,
        "paged": bool(cursor) and not error,
        "error": error,
    }
    return render_workspace(request, "notify/list.html", context, status=400 if error else 200)


@agent_required
@require_http_methods(["GET", "POST"])
def open_notification(request: AuthedRequest, notification_id: int) -> HttpResponse:
    """A link, so a GET marks it read: reading is harmless to repeat or to forge."""
    try:
        note = notifications.mark_read(request.user, notification_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if note.ticket_id is None:
        # Article feedback has no ticket: its owner reads it in the knowledge base.
        return redirect("kb:index" if note.kind == "kb_feedback" else LIST)
    return redirect("agent:ticket", number=note.ticket_id)


@agent_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    count = notifications.mark_all_read(request.user)
    if count:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    else:
        messages.info(request, "You had no unread notifications.")
    return redirect(LIST)


@agent_required
@require_GET
@never_cache
def bell(request: AuthedRequest) -> HttpResponse:
    """Just the bell, for the live app to swap in when a notification arrives."""
    return render(request, "notify/bell.html")


@agent_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    current = notifications.preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, current=current)
        if form.is_valid():
            try:
                notifications.save_preferences(request.user, choices=form.choices())
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Your notification preferences are saved.")
                return redirect(PREFERENCES)
    else:
        form = PreferencesForm(current=current)
    status = 400 if form.is_bound else 200
    return render_workspace(request, "notify/preferences.html", {"form": form}, status=status)
