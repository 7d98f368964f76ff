"""/api/v1/groups: the agent groups tickets are routed to. Agents read, admins write."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer
from pydantic import Field

from supportdesk.accounts.models import Group
from supportdesk.accounts.services import delete_group, save_group
from supportdesk.api import refs
from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import (
    Input,
    Out,
    PageQuery,
    Patch,
    Ref,
    UserRef,
    errors,
    person_ref,
    user_ref,
)
from supportdesk.api.transactions import atomic
from supportdesk.lib.errors import NotFound
from supportdesk.lib.pagination import keyset_page

router = Router(tags=["groups"])

ERRORS = errors(400, 403, 404)


class GroupOut(Out):
    id: int
    name: str
    description: str
    lead: UserRef | None
    members: list[UserRef]


class GroupPage(Out):
    items: list[GroupOut]
    next: str | None


class GroupIn(Input):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=10_000)
    lead: Ref | None = Field(None, description="an agent: id or e-mail")
    members: list[Ref] = Field([], max_length=500, description="agents: ids or e-mails")


class GroupPatch(Patch):
    nullable = frozenset({"lead"})

    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=10_000)
    lead: Ref | None = Field(None, description="null for none")
    members: list[Ref] | None = Field(None, max_length=500, description="the full list")


def group_out(group: Group) -> GroupOut:
    members = sorted(group.members.all(), key=lambda u: u.pk)
    return GroupOut(
        id=group.pk,
        name=group.name,
        description=group.description,
        lead=user_ref(group.lead),
        members=[person_ref(u) for u in members],
    )


def _groups() -> QuerySet[Group]:
    return Group.objects.select_related("lead").prefetch_related("members")


def get_group(pk: int) -> Group:
    group = _groups().filter(pk=pk).first()
    if group is None:
        raise NotFound("no such group")
    return group


def _references(values: dict[str, Any]) -> dict[str, Any]:
    if "lead" in values:
        values["lead"] = refs.person("lead", values["lead"]) if values["lead"] else None
    if "members" in values:
        values["members"] = refs.people("members", values["members"])
    return values


@router.get("", response={200: GroupPage, **ERRORS})
def list_groups(request: HttpRequest, filters: Query[PageQuery]) -> GroupPage:
    require_agent(caller(request))
    rows, next_cursor = keyset_page(
        _groups(), order=("id",), limit=filters.limit, cursor=filters.cursor
    )
    return GroupPage(items=[group_out(g) for g in rows], next=next_cursor)


@router.post("", response={201: GroupOut, **ERRORS})
@atomic
def create(request: HttpRequest, data: GroupIn) -> Answer[GroupOut]:
    user = caller(request)
    require_agent(user)
    group = save_group(by=user, **_references(data.provided() | {"name": data.name}))
    return Answer(201, group_out(get_group(group.pk)))


@router.get("/{group_id}", response={200: GroupOut, **ERRORS})
def read(request: HttpRequest, group_id: ObjectId) -> GroupOut:
    require_agent(caller(request))
    return group_out(get_group(group_id))


@router.patch("/{group_id}", response={200: GroupOut, **ERRORS})
@atomic
def change(request: HttpRequest, group_id: ObjectId, data: GroupPatch) -> GroupOut:
    """Change the fields sent; `members` replaces the whole list."""
    user = caller(request)
    require_agent(user)
    group = get_group(group_id)
    save_group(by=user, group=group, **_references(data.provided()))
    return group_out(get_group(group_id))


@router.delete("/{group_id}", response={204: None, **ERRORS})
@atomic
def delete(request: HttpRequest, group_id: ObjectId) -> Answer[None]:
    """Admins delete a group; its tickets stay, without a group."""
    user = caller(request)
    require_agent(user)
    delete_group(get_group(group_id), by=user)
    return Answer(204, None)
