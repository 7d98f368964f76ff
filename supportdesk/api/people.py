"""/api/v1/customers: the people who write in. Agents read, create and change them;
agents (not light agents) merge duplicates."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer

from supportdesk.accounts.models import STAFF_ROLES, Role, User
from supportdesk.accounts.services import add_email, create_user, merge_customers, update_user
from supportdesk.api import refs
from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId
from supportdesk.api.people_schemas import (
    CustomerFilters,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    EmailIn,
    MergeCustomerIn,
    customer_out,
)
from supportdesk.api.schemas import errors
from supportdesk.api.transactions import atomic
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.pagination import keyset_page

router = Router(tags=["customers"])

ERRORS = errors(400, 403, 404)


def _customers() -> QuerySet[User]:
    # Not `role=customer`: SQLite would read every customer through the (role, name)
    # index and sort them for one page; excluding the few staff rows walks the id order.
    return (
        User.objects.exclude(role__in=STAFF_ROLES)
        .select_related("organization")
        .prefetch_related("emails")
    )


def get_customer(pk: int) -> User:
    customer = _customers().filter(pk=pk).first()
    if customer is None:
        raise NotFound("no such customer")
    return customer


@router.get("", response={200: CustomerPage, **ERRORS})
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> CustomerPage:
    """Customers by id; `q` matches part of the name or primary address."""
    require_agent(caller(request))
    qs = _customers().filter(is_active=filters.active)
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(email__icontains=text))
    if filters.organization is not None:
        qs = qs.filter(organization=refs.organization("organization", filters.organization))
    rows, next_cursor = keyset_page(qs, order=("id",), limit=filters.limit, cursor=filters.cursor)
    return CustomerPage(items=[customer_out(u) for u in rows], next=next_cursor)


@router.post("", response={201: CustomerOut, **ERRORS})
@atomic
def create(request: HttpRequest, data: CustomerIn) -> Answer[CustomerOut]:
    user = caller(request)
    require_agent(user)
    organization = (
        refs.organization("organization", data.organization) if data.organization else None
    )
    customer = create_user(
        email=data.email,
        by=user,
        name=data.name,
        role=Role.CUSTOMER,
        organization=organization,
        phone=data.phone,
        language=data.language,
        time_zone=data.time_zone,
        segment=data.segment,
        notes=data.notes,
    )
    for email in data.emails:
        add_email(customer, email=email, by=user)
    return Answer(201, customer_out(get_customer(customer.pk)))


@router.get("/{customer_id}", response={200: CustomerOut, **ERRORS})
def read(request: HttpRequest, customer_id: ObjectId) -> CustomerOut:
    require_agent(caller(request))
    return customer_out(get_customer(customer_id))


@router.patch("/{customer_id}", response={200: CustomerOut, **ERRORS})
@atomic
def change(request: HttpRequest, customer_id: ObjectId, data: CustomerPatch) -> CustomerOut:
    """Change the fields sent. A new `email` becomes the primary address and the old one
    stays on the person; `is_active` is for admins."""
    user = caller(request)
    require_agent(user)
    customer = get_customer(customer_id)
    values = data.provided()
    kwargs: dict[str, Any] = {}
    if "organization" in values:
        org = values.pop("organization")
        kwargs["organization"] = refs.organization("organization", org) if org else None
    update_user(customer, by=user, **kwargs, **values)
    return customer_out(get_customer(customer_id))


@router.post("/{customer_id}/emails", response={201: CustomerOut, **ERRORS})
@atomic
def add_address(request: HttpRequest, customer_id: ObjectId, data: EmailIn) -> Answer[CustomerOut]:
    """Add another address: mail from it then reaches the same person."""
    user = caller(request)
    require_agent(user)
    customer = get_customer(customer_id)
    add_email(customer, email=data.email, by=user)
    return Answer(201, customer_out(get_customer(customer_id)))


@router.post("/{customer_id}/merge", response={200: CustomerOut, **ERRORS})
@atomic
def merge(request: HttpRequest, customer_id: ObjectId, data: MergeCustomerIn) -> CustomerOut:
    """Fold this customer into `into`: addresses and tickets move, this one is
    deactivated. Answers the customer kept."""
    user = caller(request)
    require_agent(user)
    source = get_customer(customer_id)
    try:
        target = get_customer(data.into)
    except NotFound:
        raise DomainError(f"into: no customer {data.into}") from None
    merge_customers(source, target, by=user)
    return customer_out(get_customer(target.pk))
