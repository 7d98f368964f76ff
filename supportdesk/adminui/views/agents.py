"""/agent/admin/agents/: the team, their roles and groups; inviting a new agent."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import STAFF_ROLES, Group, Role, User
from supportdesk.accounts.services import create_user, save_group, update_user
from supportdesk.adminui import invites
from supportdesk.adminui.access import admin_view, run_service, show
from supportdesk.adminui.forms import ROLE_NAMES, NewAgentForm
from supportdesk.adminui.routing_forms import EditAgentRoutingForm, agent_routing_initial
from supportdesk.automation.routing_settings import profile_for, save_agent_profile
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest


def _agent(pk: int) -> User:
    agent = User.objects.filter(pk=pk, role__in=STAFF_ROLES).first()
    if agent is None:
        raise Http404("no such agent")
    return agent


@admin_view
def agent_list(request: AuthedRequest) -> HttpResponse:
    # A team is at most a few hundred people: one page, active first.
    agents = (
        User.objects.filter(role__in=STAFF_ROLES)
        .prefetch_related("agent_groups")
        .order_by("-is_active", "name", "email")
    )
    return show(request, "adminui/agents.html", {"section": "agents", "agents": agents})


@admin_view
def agent_new(request: AuthedRequest) -> HttpResponse:
    form = NewAgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[User] = []

        def create() -> None:
            agent = create_user(
                email=data["email"], by=request.user, name=data["name"], role=data["role"]
            )
            set_groups(agent, data["groups"], by=request.user)
            created.append(agent)

        if run_service(form, create):
            agent = created[0]
            invites.offer_link(request, agent, send=data["invite"])
            role = ROLE_NAMES[agent.role]
            messages.success(request, f"{agent.display_name} joined the team as {role}.")
            return redirect("adminui:agent", pk=agent.pk)
    status = 400 if form.is_bound else 200
    context = {"section": "agents", "form": form}
    return show(request, "adminui/agent_new.html", context, status=status)


@never_cache
@admin_view
def agent_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    agent = _agent(pk)
    initial = {
        "name": agent.name,
        "email": agent.email,
        "role": agent.role,
        "groups": list(agent.agent_groups.all()),
        **agent_routing_initial(profile_for(agent)),
    }
    form = EditAgentRoutingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def change() -> None:
            update_user(
                agent, by=request.user, name=data["name"], email=data["email"], role=data["role"]
            )
            leaving = data["role"] == Role.CUSTOMER
            set_groups(agent, [] if leaving else data["groups"], by=request.user)
            if leaving:
                for group in Group.objects.filter(lead=agent):
                    save_group(by=request.user, group=group, lead=None)
            else:
                save_agent_profile(
                    agent, by=request.user, capacity=data["capacity"], skills=data["skills"]
                )

        if run_service(form, change):
            if agent.role == Role.CUSTOMER:
                messages.success(request, f"{agent.display_name} is now a customer.")
                return redirect("adminui:agents")
            messages.success(request, f"Saved {agent.display_name}.")
            return redirect("adminui:agent", pk=agent.pk)
    context = {
        "section": "agents",
        "agent": agent,
        "form": form,
        "link": invites.take_link(request, agent),
    }
    return show(request, "adminui/agent_edit.html", context, status=400 if form.errors else 200)


@require_POST
@admin_view
def agent_active(request: AuthedRequest, pk: int) -> HttpResponse:
    """Deactivate (no sign-in, no assignment) or reactivate an agent."""
    agent = _agent(pk)
    active = request.POST.get("active") == "1"
    try:
        update_user(agent, by=request.user, is_active=active)
    except DomainError as exc:
        messages.error(request, f"{agent.display_name}: {exc}.")
    else:
        state = "can sign in again" if active else "is deactivated and cannot sign in"
        messages.success(request, f"{agent.display_name} {state}.")
    return redirect("adminui:agent", pk=agent.pk)


@require_POST
@admin_view
def agent_invite(request: AuthedRequest, pk: int) -> HttpResponse:
    """A fresh set-password link, e-mailed and shown once."""
    agent = _agent(pk)
    if not agent.is_active:
        messages.error(request, "Reactivate this agent before sending a link.")
    else:
        invites.offer_link(request, agent, send=True)
    return redirect("adminui:agent", pk=agent.pk)


def set_groups(agent: User, groups: Iterable[Group], *, by: User) -> None:
    """Make `agent` a member of exactly `groups`, through save_group; a group they led
    loses its lead when they leave it."""
    wanted = {g.pk for g in groups}
    current = {g.pk for g in agent.agent_groups.all()}
    for group in Group.objects.filter(pk__in=wanted ^ current).prefetch_related("members"):
        members = [m for m in group.members.all() if m.pk != agent.pk]
        if group.pk in wanted:
            save_group(by=by, group=group, members=[*members, agent])
        elif group.lead_id == agent.pk:
            save_group(by=by, group=group, members=members, lead=None)
        else:
            save_group(by=by, group=group, members=members)
