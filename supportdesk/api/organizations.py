"""/api/v1/organizations: customer companies, their mail domains and ticket sharing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer
from pydantic import Field

from supportdesk.accounts.models import Organization
from supportdesk.accounts.services import delete_organization, save_organization
from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import Cursor, Input, Limit, Out, Patch, errors
from supportdesk.api.transactions import atomic
from supportdesk.lib.errors import NotFound
from supportdesk.lib.pagination import keyset_page

router = Router(tags=["organizations"])

ERRORS = errors(400, 403, 404)

Domain = Annotated[str, Field(min_length=1, max_length=253)]


class OrganizationOut(Out):
    id: int
    name: str
    domains: list[str] = Field(description="requesters with these addresses join it")
    shared_tickets: bool = Field(description="members see each other's tickets")
    notes: str
    created_at: datetime


class OrganizationPage(Out):
    items: list[OrganizationOut]
    next: str | None


class OrganizationFilters(Input):
    q: str | None = Field(None, max_length=200, description="part of the name")
    limit: Limit = 25
    cursor: Cursor = None


class OrganizationIn(Input):
    name: str = Field(min_length=1, max_length=200)
    domains: list[Domain] = Field([], max_length=100)
    shared_tickets: bool = False
    notes: str = Field("", max_length=10_000)


class OrganizationPatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=200)
    domains: list[Domain] | None = Field(None, max_length=100, description="the full list")
    shared_tickets: bool | None = None
    notes: str | None = Field(None, max_length=10_000)


def organization_out(org: Organization) -> OrganizationOut:
    return OrganizationOut(
        id=org.pk,
        name=org.name,
        domains=sorted(d.domain for d in org.domain_rows.all()),
        shared_tickets=org.shared_tickets,
        notes=org.notes,
        created_at=org.created_at,
    )


def _organizations() -> QuerySet[Organization]:
    return Organization.objects.prefetch_related("domain_rows")


def get_organization(pk: int) -> Organization:
    org = _organizations().filter(pk=pk).first()
    if org is None:
        raise NotFound("no such organization")
    return org


@router.get("", response={200: OrganizationPage, **ERRORS})
def list_organizations(
    request: HttpRequest, filters: Query[OrganizationFilters]
) -> OrganizationPage:
    require_agent(caller(request))
    qs = _organizations()
    if filters.q and filters.q.strip():
        qs = qs.filter(name__icontains=filters.q.strip())
    rows, next_cursor = keyset_page(qs, order=("id",), limit=filters.limit, cursor=filters.cursor)
    return OrganizationPage(items=[organization_out(o) for o in rows], next=next_cursor)


@router.post("", response={201: OrganizationOut, **ERRORS})
@atomic
def create(request: HttpRequest, data: OrganizationIn) -> Answer[OrganizationOut]:
    """Agents (not light agents) add organizations."""
    user = caller(request)
    require_agent(user)
    org = save_organization(
        by=user,
        name=data.name,
        domains=data.domains,
        shared_tickets=data.shared_tickets,
        notes=data.notes,
    )
    return Answer(201, organization_out(get_organization(org.pk)))


@router.get("/{organization_id}", response={200: OrganizationOut, **ERRORS})
def read(request: HttpRequest, organization_id: ObjectId) -> OrganizationOut:
    require_agent(caller(request))
    return organization_out(get_organization(organization_id))


@router.patch("/{organization_id}", response={200: OrganizationOut, **ERRORS})
@atomic
def change(
    request: HttpRequest, organization_id: ObjectId, data: OrganizationPatch
) -> OrganizationOut:
    """Change the fields sent; `domains` replaces the whole list."""
    user = caller(request)
    require_agent(user)
    org = get_organization(organization_id)
    save_organization(by=user, organization=org, **data.provided())
    return organization_out(get_organization(organization_id))


@router.delete("/{organization_id}", response={204: None, **ERRORS})
@atomic
def delete(request: HttpRequest, organization_id: ObjectId) -> Answer[None]:
    """Admins delete an organization; its people and tickets stay, without it."""
    user = caller(request)
    require_agent(user)
    delete_organization(get_organization(organization_id), by=user)
    return Answer(204, None)
