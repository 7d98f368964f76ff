"""Schemas of people (customers, agents, the caller) and the functions that fill them."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, Field

from supportdesk.accounts.models import Role, User
from supportdesk.api.schemas import Cursor, Input, Limit, NamedRef, Out, Patch, Ref, named_ref

Email = Annotated[str, Field(min_length=3, max_length=254)]
Name = Annotated[str, Field(max_length=200)]
Phone = Annotated[str, Field(max_length=50)]
Language = Annotated[str, Field(max_length=10, description="e.g. en, de-CH")]
Segment = Annotated[str, Field(max_length=50, description="e.g. vip, enterprise")]
Notes = Annotated[str, Field(max_length=10_000)]


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_zone(value: str) -> str:
    if value and value not in _zones():
        raise ValueError(f"{value!r} is not a time zone name like Europe/Berlin")
    return value


TimeZone = Annotated[
    str,
    Field(max_length=64, description="IANA name, e.g. Europe/Berlin"),
    AfterValidator(_check_zone),
]


class CustomerOut(Out):
    id: int
    email: str
    name: str
    emails: list[str] = Field(description="every address, the primary one included")
    organization: NamedRef | None
    phone: str
    language: str
    time_zone: str
    segment: str
    notes: str
    is_active: bool
    merged_into: int | None
    created_at: datetime


class CustomerPage(Out):
    items: list[CustomerOut]
    next: str | None


def customer_out(user: User) -> CustomerOut:
    """`user` fetched with its organization and `emails` prefetched."""
    return CustomerOut(
        id=user.pk,
        email=user.email,
        name=user.name,
        emails=sorted(e.email for e in user.emails.all()),
        organization=named_ref(user.organization),
        phone=user.phone,
        language=user.language,
        time_zone=user.time_zone,
        segment=user.segment,
        notes=user.notes,
        is_active=user.is_active,
        merged_into=user.merged_into_id,
        created_at=user.created_at,
    )


class CustomerFilters(Input):
    q: str | None = Field(None, max_length=200, description="part of the name or address")
    organization: Ref | None = None
    active: bool = Field(True, description="false lists deactivated and merged people")
    limit: Limit = 25
    cursor: Cursor = None


class CustomerIn(Input):
    email: Email
    name: Name = ""
    emails: list[Email] = Field([], max_length=20, description="more addresses")
    organization: Ref | None = Field(None, description="default: by the address's domain")
    phone: Phone = ""
    language: Language = ""
    time_zone: TimeZone = ""
    segment: Segment = ""
    notes: Notes = ""


class CustomerPatch(Patch):
    nullable = frozenset({"organization"})

    email: Email | None = Field(None, description="new primary address; the old one stays")
    name: Name | None = None
    organization: Ref | None = Field(None, description="null to clear")
    phone: Phone | None = None
    language: Language | None = None
    time_zone: TimeZone | None = None
    segment: Segment | None = None
    notes: Notes | None = None
    is_active: bool | None = Field(None, description="admins")


class EmailIn(Input):
    email: Email


class MergeCustomerIn(Input):
    into: Annotated[int, Field(ge=1, le=2**63 - 1)] = Field(description="the customer to keep")


class UserOut(Out):
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    organization: NamedRef | None
    groups: list[NamedRef]
    phone: str
    language: str
    time_zone: str
    signature: str
    created_at: datetime
    last_login: datetime | None


class UserPage(Out):
    items: list[UserOut]
    next: str | None


def user_out(user: User) -> UserOut:
    """`user` fetched with its organization and `agent_groups` prefetched."""
    return UserOut(
        id=user.pk,
        email=user.email,
        name=user.name,
        role=user.role,
        is_active=user.is_active,
        organization=named_ref(user.organization),
        groups=[NamedRef(id=g.pk, name=g.name) for g in user.agent_groups.all()],
        phone=user.phone,
        language=user.language,
        time_zone=user.time_zone,
        signature=user.signature,
        created_at=user.created_at,
        last_login=user.last_login,
    )


class UserFilters(Input):
    role: Role | None = Field(None, description="default: everyone who works tickets")
    q: str | None = Field(None, max_length=200, description="part of the name or address")
    active: bool = True
    limit: Limit = 25
    cursor: Cursor = None


class UserIn(Input):
    email: Email
    name: Name = ""
    role: Role = Role.AGENT
    password: str | None = Field(None, min_length=1, max_length=200)
    phone: Phone = ""
    language: Language = ""
    time_zone: TimeZone = ""
    signature: Notes = ""


class UserPatch(Patch):
    email: Email | None = None
    name: Name | None = None
    role: Role | None = None
    is_active: bool | None = None
    phone: Phone | None = None
    language: Language | None = None
    time_zone: TimeZone | None = None
    signature: Notes | None = None


class MePatch(Patch):
    name: Name | None = None
    phone: Phone | None = None
    language: Language | None = None
    time_zone: TimeZone | None = None
    signature: Notes | None = Field(None, description="agents: added under replies")
