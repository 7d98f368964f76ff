"""/api/v1/users (the team: admins add agents and set roles) and /api/v1/me."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer

from supportdesk.accounts.models import STAFF_ROLES, User
from supportdesk.accounts.services import create_user, update_user
from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId
from supportdesk.api.people_schemas import (
    MePatch,
    UserFilters,
    UserIn,
    UserOut,
    UserPage,
    UserPatch,
    user_out,
)
from supportdesk.api.schemas import errors
from supportdesk.api.transactions import atomic
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.pagination import keyset_page

router = Router(tags=["users"])
me_router = Router(tags=["users"])

ERRORS = errors(400, 403, 404)


def _users() -> QuerySet[User]:
    return User.objects.select_related("organization").prefetch_related("agent_groups")


def get_user(pk: int) -> User:
    user = _users().filter(pk=pk).first()
    if user is None:
        raise NotFound("no such user")
    return user


@router.get("", response={200: UserPage, **ERRORS})
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> UserPage:
    """The team (admins, agents, light agents) by id, or everyone of one `role`."""
    require_agent(caller(request))
    qs = _users().filter(is_active=filters.active)
    if filters.role is not None:
        qs = qs.filter(role=filters.role)
    else:
        qs = qs.filter(role__in=STAFF_ROLES)
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(email__icontains=text))
    rows, next_cursor = keyset_page(qs, order=("id",), limit=filters.limit, cursor=filters.cursor)
    return UserPage(items=[user_out(u) for u in rows], next=next_cursor)


def _check_password(password: str | None, user: User | None = None) -> None:
    if password is None:
        return
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise DomainError("password: " + " ".join(exc.messages)) from None


@router.post("", response={201: UserOut, **ERRORS})
@atomic
def create(request: HttpRequest, data: UserIn) -> Answer[UserOut]:
    """Add a person with a role (admins add agents; agents may add customers). Without
    a password they sign in only after a password is set."""
    by = caller(request)
    require_agent(by)
    _check_password(data.password)
    user = create_user(
        email=data.email,
        by=by,
        name=data.name,
        role=data.role,
        password=data.password,
        phone=data.phone,
        language=data.language,
        time_zone=data.time_zone,
        signature=data.signature,
    )
    return Answer(201, user_out(get_user(user.pk)))


@router.get("/{user_id}", response={200: UserOut, **ERRORS})
def read(request: HttpRequest, user_id: ObjectId) -> UserOut:
    require_agent(caller(request))
    return user_out(get_user(user_id))


@router.patch("/{user_id}", response={200: UserOut, **ERRORS})
@atomic
def change(request: HttpRequest, user_id: ObjectId, data: UserPatch) -> UserOut:
    """Change the fields sent. Roles, deactivation and other agents' profiles are for
    admins; the last active admin keeps the role."""
    by = caller(request)
    require_agent(by)
    user = get_user(user_id)
    values = data.provided()
    if "role" in values:
        values["role"] = str(values["role"].value)
    update_user(user, by=by, **values)
    return user_out(get_user(user_id))


@me_router.get("", response={200: UserOut, **ERRORS})
def me(request: HttpRequest) -> UserOut:
    """Who the token or session belongs to."""
    return user_out(get_user(caller(request).pk))


@me_router.patch("", response={200: UserOut, **ERRORS})
@atomic
def change_me(request: HttpRequest, data: MePatch) -> UserOut:
    """Change your own name, phone, language, time zone or signature."""
    user = caller(request)
    values = data.provided()
    if "signature" in values and not user.is_agent:
        raise DomainError("signature: only agents have one")
    update_user(get_user(user.pk), by=user, **values)
    return user_out(get_user(user.pk))
