"""/api/v1/views: saved views (queues) of tickets, personal or shared, with their tickets
and a capped count. Agents only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer
from pydantic import Field

from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import Input, Out, PageQuery, Patch, UserRef, errors, person_ref
from supportdesk.api.ticket_schemas import Sort, TicketPage, ticket_page
from supportdesk.api.transactions import atomic
from supportdesk.lib.pagination import keyset_page
from supportdesk.queues.models import SavedView
from supportdesk.queues.queries import access_view, capped_count, tickets_in_view, views_for
from supportdesk.queues.services import delete_view, save_view
from supportdesk.tickets.queries import page_tickets, with_list_relations

router = Router(tags=["views"])
ERRORS = errors(400, 403, 404)


class ViewOut(Out):
    id: int
    name: str
    owner: UserRef
    shared: bool
    conditions: dict[str, Any]
    sort: str
    columns: list[str]
    position: int
    enabled: bool


class ViewPage(Out):
    items: list[ViewOut]
    next: str | None


class ViewCount(Out):
    count: int
    capped: bool = Field(description="true when there are more than `count`")


class ViewIn(Input):
    name: str = Field(min_length=1, max_length=100)
    conditions: dict[str, Any] = Field(default_factory=lambda: {"all": [], "any": []})
    sort: Sort = "-updated_at"
    columns: list[str] | None = Field(None, max_length=20)
    shared: bool = False
    position: int = Field(0, ge=0, le=10_000)
    enabled: bool = True


class ViewPatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=100)
    conditions: dict[str, Any] | None = None
    sort: Sort | None = None
    columns: list[str] | None = Field(None, max_length=20)
    shared: bool | None = None
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool | None = None


def view_out(view: SavedView) -> ViewOut:
    return ViewOut(
        id=view.pk,
        name=view.name,
        owner=person_ref(view.owner),
        shared=view.shared,
        conditions=view.conditions,
        sort=view.sort,
        columns=list(view.columns),
        position=view.position,
        enabled=view.enabled,
    )


@router.get("", response={200: ViewPage, **ERRORS})
def list_views(request: HttpRequest, filters: Query[PageQuery]) -> ViewPage:
    """Shared views and the caller's own, in position order."""
    user = caller(request)
    require_agent(user)
    rows, next_cursor = keyset_page(
        views_for(user).select_related("owner"),
        order=("position", "id"),
        limit=filters.limit,
        cursor=filters.cursor,
    )
    return ViewPage(items=[view_out(v) for v in rows], next=next_cursor)


@router.post("", response={201: ViewOut, **ERRORS})
@atomic
def create(request: HttpRequest, data: ViewIn) -> Answer[ViewOut]:
    user = caller(request)
    require_agent(user)
    return Answer(201, view_out(save_view(by=user, **data.model_dump())))


@router.get("/{view_id}", response={200: ViewOut, **ERRORS})
def read(request: HttpRequest, view_id: ObjectId) -> ViewOut:
    user = caller(request)
    require_agent(user)
    return view_out(access_view(user, view_id))


@router.patch("/{view_id}", response={200: ViewOut, **ERRORS})
@atomic
def change(request: HttpRequest, view_id: ObjectId, data: ViewPatch) -> ViewOut:
    user = caller(request)
    require_agent(user)
    view = save_view(by=user, view=access_view(user, view_id), **data.provided())
    return view_out(view)


@router.delete("/{view_id}", response={204: None, **ERRORS})
@atomic
def delete(request: HttpRequest, view_id: ObjectId) -> Answer[None]:
    user = caller(request)
    require_agent(user)
    delete_view(access_view(user, view_id), by=user)
    return Answer(204, None)


@router.get("/{view_id}/tickets", response={200: TicketPage, **ERRORS})
def view_tickets(request: HttpRequest, view_id: ObjectId, page: Query[PageQuery]) -> TicketPage:
    """The view's tickets in its sort order, cursor-paginated."""
    user = caller(request)
    require_agent(user)
    view = access_view(user, view_id)
    rows, next_cursor = page_tickets(
        with_list_relations(tickets_in_view(user, view)),
        sort=view.sort,
        limit=page.limit,
        cursor=page.cursor,
    )
    return ticket_page(rows, user, next_cursor)


@router.get("/{view_id}/count", response={200: ViewCount, **ERRORS})
def count(request: HttpRequest, view_id: ObjectId) -> ViewCount:
    """How many tickets the view holds, counting at most 1,000."""
    user = caller(request)
    require_agent(user)
    n, capped = capped_count(tickets_in_view(user, access_view(user, view_id)))
    return ViewCount(count=n, capped=capped)
