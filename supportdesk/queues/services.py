"""The only writers of saved views."""

from __future__ import annotations

from typing import Any

from supportdesk.accounts.models import User
from supportdesk.conditions.validate import validate
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.queues.models import COLUMNS, DEFAULT_COLUMNS, SavedView
from supportdesk.tickets.queries import SORTS


def save_view(
    *,
    by: User,
    view: SavedView | None = None,
    name: str | None = None,
    conditions: Any = None,
    sort: str | None = None,
    columns: list[str] | None = None,
    shared: bool | None = None,
    position: int | None = None,
    enabled: bool | None = None,
) -> SavedView:
    """Create or change a view. Agents keep personal views; shared views are admins'."""
    if not by.is_agent:
        raise PermissionDenied("only agents have views")
    view = view or SavedView(owner=by, columns=list(DEFAULT_COLUMNS))
    will_share = view.shared if shared is None else shared
    if (will_share or view.shared) and not by.is_admin:
        raise PermissionDenied("only admins change shared views")
    if view.pk and not view.shared and view.owner_id != by.pk:
        raise PermissionDenied("this is someone else's view")
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > 100:
            raise DomainError("name: between 1 and 100 characters")
        view.name = name
    elif not view.pk:
        raise DomainError("name: a view needs a name")
    if conditions is not None or not view.pk:
        view.conditions = validate(conditions or {"all": [], "any": []}, context="filter")
    if sort is not None:
        if sort not in SORTS:
            raise DomainError(f"sort: one of {', '.join(SORTS)}")
        view.sort = sort
    if columns is not None:
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown or not columns:
            raise DomainError(f"columns: some of {', '.join(COLUMNS)}")
        view.columns = list(dict.fromkeys(columns))
    for attr, value in (("shared", shared), ("position", position), ("enabled", enabled)):
        if value is not None:
            setattr(view, attr, value)
    view.save()
    return view


def delete_view(view: SavedView, *, by: User) -> None:
    if view.shared and not by.is_admin:
        raise PermissionDenied("only admins change shared views")
    if not view.shared and view.owner_id != by.pk:
        raise PermissionDenied("this is someone else's view")
    view.delete()
