"""/agent/admin/groups/: the groups tickets are routed to, their leads and members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from supportdesk.accounts.models import Group
from supportdesk.accounts.services import delete_group, save_group
from supportdesk.adminui.access import admin_view, capped_count, run_service, show
from supportdesk.adminui.routing_forms import GroupEditForm, group_routing_initial
from supportdesk.automation.models import GroupRouting
from supportdesk.automation.routing_settings import routing_of, save_group_routing
from supportdesk.lib.http import AuthedRequest


def _group(pk: int) -> Group:
    group = Group.objects.select_related("lead").filter(pk=pk).first()
    if group is None:
        raise Http404("no such group")
    return group


@admin_view
def group_list(request: AuthedRequest) -> HttpResponse:
    groups = Group.objects.select_related("lead").prefetch_related("members").order_by("name")
    return show(request, "adminui/groups.html", {"section": "groups", "groups": groups})


@admin_view
def group_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create a group (no `pk`) or change one, with how its tickets find an agent."""
    group = _group(pk) if pk is not None else None
    initial: dict[str, Any] = group_routing_initial(GroupRouting())
    if group is not None:
        initial = {
            "name": group.name,
            "description": group.description,
            "lead": group.lead,
            "members": list(group.members.all()),
            **group_routing_initial(routing_of(group)),
        }
    form = GroupEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved: list[Group] = []

        def save() -> None:
            saved.append(save_group(by=request.user, group=group, **form.group_values()))
            routing = form.routing_values(routing_of(saved[0]))
            save_group_routing(saved[0], by=request.user, **routing)

        if run_service(form, save):
            messages.success(request, f"Saved group {saved[0].name}.")
            return redirect("adminui:groups")
    context = {"section": "groups", "group": group, "form": form}
    return show(request, "adminui/group_edit.html", context, status=400 if form.errors else 200)


@admin_view
def group_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes. Tickets keep going, without a group."""
    group = _group(pk)
    if request.method == "POST":
        delete_group(group, by=request.user)
        messages.success(request, f"Deleted group {group.name}. Its tickets have no group now.")
        return redirect("adminui:groups")
    tickets = capped_count(group.tickets.filter(deleted_at__isnull=True))
    context = {"section": "groups", "group": group, "tickets": tickets}
    return show(request, "adminui/group_delete.html", context)
