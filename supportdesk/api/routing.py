"""/api/v1/groups/{id}/routing and /api/v1/users/{id}/routing: how a group's tickets find
an agent, and an agent's capacity and skills. Agents read, admins write."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from supportdesk.accounts.models import STAFF_ROLES, Group, User
from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import Input, Out, errors
from supportdesk.api.transactions import atomic
from supportdesk.automation.models import AgentProfile, GroupRouting
from supportdesk.automation.routing_settings import (
    MAX_CAPACITY,
    MAX_SKILL_FIELDS,
    MAX_SKILLS,
    profile_for,
    routing_of,
    save_agent_profile,
    save_group_routing,
)
from supportdesk.lib.errors import NotFound

group_router = Router(tags=["groups"])
user_router = Router(tags=["users"])
ERRORS = errors(400, 403, 404)

StrategyName = Literal["manual", "round_robin", "least_loaded", "skills"]


class GroupRoutingIn(Input):
    strategy: StrategyName = Field(
        description="manual: agents take tickets themselves; round_robin: in turn; "
        "least_loaded: fewest open tickets for their capacity; skills: the least loaded "
        "of those with every skill the ticket needs"
    )
    skill_fields: list[str] = Field(
        [],
        max_length=MAX_SKILL_FIELDS,
        description='custom field keys whose value is a needed skill ("product" -> '
        '"product:billing")',
    )
    return_when_offline: bool = Field(
        False, description="an agent going offline returns their untouched tickets"
    )


class GroupRoutingOut(Out):
    strategy: str
    skill_fields: list[str]
    return_when_offline: bool


class AgentRoutingIn(Input):
    capacity: int | None = Field(
        None, ge=0, le=MAX_CAPACITY, description="open tickets routing gives them; null: no limit"
    )
    skills: list[str] = Field(
        [], max_length=MAX_SKILLS, description='e.g. "language:de", "product:billing", "tier:2"'
    )


class AgentRoutingOut(Out):
    capacity: int | None
    skills: list[str]


def _group(pk: int) -> Group:
    group = Group.objects.filter(pk=pk).first()
    if group is None:
        raise NotFound("no such group")
    return group


def _agent(pk: int) -> User:
    agent = User.objects.filter(pk=pk, role__in=STAFF_ROLES).first()
    if agent is None:
        raise NotFound("no such agent")
    return agent


def group_routing_out(routing: GroupRouting) -> GroupRoutingOut:
    return GroupRoutingOut(
        strategy=routing.strategy,
        skill_fields=list(routing.skill_fields),
        return_when_offline=routing.return_when_offline,
    )


def agent_routing_out(profile: AgentProfile) -> AgentRoutingOut:
    return AgentRoutingOut(capacity=profile.capacity, skills=list(profile.skills))


@group_router.get("/{group_id}/routing", response={200: GroupRoutingOut, **ERRORS})
def read_group_routing(request: HttpRequest, group_id: ObjectId) -> GroupRoutingOut:
    require_agent(caller(request))
    return group_routing_out(routing_of(_group(group_id)))


@group_router.put("/{group_id}/routing", response={200: GroupRoutingOut, **ERRORS})
@atomic
def change_group_routing(
    request: HttpRequest, group_id: ObjectId, data: GroupRoutingIn
) -> GroupRoutingOut:
    """Replace the group's routing settings (admins)."""
    user = caller(request)
    require_agent(user)
    routing = save_group_routing(
        _group(group_id),
        by=user,
        strategy=data.strategy,
        skill_fields=data.skill_fields,
        return_when_offline=data.return_when_offline,
    )
    return group_routing_out(routing)


@user_router.get("/{user_id}/routing", response={200: AgentRoutingOut, **ERRORS})
def read_agent_routing(request: HttpRequest, user_id: ObjectId) -> AgentRoutingOut:
    require_agent(caller(request))
    return agent_routing_out(profile_for(_agent(user_id)))


@user_router.put("/{user_id}/routing", response={200: AgentRoutingOut, **ERRORS})
@atomic
def change_agent_routing(
    request: HttpRequest, user_id: ObjectId, data: AgentRoutingIn
) -> AgentRoutingOut:
    """Replace the agent's capacity and skills (admins). Skills are lower-cased."""
    user = caller(request)
    require_agent(user)
    profile = save_agent_profile(
        _agent(user_id), by=user, capacity=data.capacity, skills=data.skills
    )
    return agent_routing_out(profile)
