"""Turning references in requests (an id, or a unique name or e-mail address) into rows.

An unknown reference is a DomainError that names the field, so the client gets a 400
saying which value to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models

from supportdesk.accounts.models import Group, Organization, User, UserEmail
from supportdesk.accounts.services import find_user_by_email
from supportdesk.api.schemas import MAX_ID
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.models import TicketForm


def _as_id(value: int | str) -> int | None:
    if isinstance(value, int):
        return value
    text = value.strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


def person(field: str, value: int | str) -> User:
    """A person by id or by any of their e-mail addresses."""
    pk = _as_id(value)
    if pk is not None:
        found = User.objects.filter(pk=pk).select_related("organization").first()
        if found is not None:
            return found
    if isinstance(value, str) and "@" in value:
        found = find_user_by_email(value)
        if found is not None:
            return found
    raise DomainError(f"{field}: no person {value!r}")


def people(field: str, values: Iterable[int | str]) -> list[User]:
    """People by id or e-mail in one query per kind of reference, in the order given."""
    values = list(values)
    ids = {v: pk for v in values if (pk := _as_id(v)) is not None}
    by_id = {u.pk: u for u in User.objects.filter(pk__in=set(ids.values()))}
    emails = [v.strip().lower() for v in values if isinstance(v, str) and "@" in v]
    by_email = {
        row.email: row.user
        for row in UserEmail.objects.select_related("user").filter(email__in=emails)
    }
    found: list[User] = []
    for value in values:
        user = by_id.get(ids.get(value, 0))
        if user is None and isinstance(value, str):
            user = by_email.get(value.strip().lower())
        if user is None:
            raise DomainError(f"{field}: no person {value!r}")
        if user not in found:
            found.append(user)
    return found


M = TypeVar("M", bound=models.Model)


def _named(model: type[M], what: str, field: str, value: int | str) -> M:
    """An object by id or by its unique name (any case)."""
    pk = _as_id(value)
    found = model.objects.filter(pk=pk).first() if pk is not None else None  # type: ignore[attr-defined]
    if found is None and isinstance(value, str):
        found = model.objects.filter(name__iexact=value.strip()).first()  # type: ignore[attr-defined]
    if found is None:
        raise DomainError(f"{field}: no {what} {value!r}")
    return found


def group(field: str, value: int | str) -> Group:
    return _named(Group, "group", field, value)


def organization(field: str, value: int | str) -> Organization:
    return _named(Organization, "organization", field, value)


def form(field: str, value: int | str) -> TicketForm:
    return _named(TicketForm, "form", field, value)
