"""Schemas shared by every resource: references to related objects, the input base
class, and helpers that turn rows into output schemas."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from supportdesk.accounts.models import User

MAX_ID = 2**63 - 1

# An object referenced by id or by its unique name (e-mail for people, name for groups
# and organizations). Strings of digits are ids first, names second.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Ref = Annotated[
    Id | Annotated[str, Field(min_length=1, max_length=254)],
    Field(description="id, or the unique name (e-mail address for people)"),
]
Limit = Annotated[int, Field(ge=1, le=100, description="items per page, 1 to 100")]
Cursor = Annotated[
    str | None,
    Field(max_length=2000, description="the `next` value of the previous page"),
]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(_has_nul(v) for v in value)
    return False


class Input(BaseModel):
    """Base of every request schema (a plain pydantic model: input never comes from ORM
    objects). Accepts only a JSON object, and rejects NUL characters anywhere in it,
    which PostgreSQL cannot store in text or JSON and which no client means to send.
    Unknown fields are a 422 too: a misspelt field silently ignored would look like
    success."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _object_without_nul(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        if _has_nul(data):
            raise ValueError("text may not contain NUL (\\u0000) characters")
        return data

    def provided(self) -> dict[str, Any]:
        """The fields the client sent, so that a PATCH changes only those."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class Patch(Input):
    """Base of PATCH schemas: only fields sent change; `null` is allowed only for the
    fields in `nullable` (it clears them) and is a 422 elsewhere."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _null_only_where_allowed(self) -> Self:
        for name in sorted(self.model_fields_set - self.nullable):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class Out(BaseModel):
    """Base of every response schema. A plain pydantic model built field by field by the
    `*_out` functions: ninja.Schema would wrap every value in its ORM attribute resolver
    when the answer is validated, which cost about 1 ms per ticket in a list."""


class PageQuery(Input):
    """A page of a list: `limit` and the `cursor` from the previous page's `next`."""

    limit: Limit = 25
    cursor: Cursor = None


class NamedRef(Out):
    """A related object: its id and name."""

    id: int
    name: str


class UserRef(Out):
    """A related person: id, display name and primary e-mail address."""

    id: int
    name: str
    email: str


def person_ref(user: User) -> UserRef:
    return UserRef(id=user.pk, name=user.display_name, email=user.email)


def user_ref(user: User | None) -> UserRef | None:
    return None if user is None else person_ref(user)


def named_ref(obj: Any) -> NamedRef | None:
    if obj is None:
        return None
    return NamedRef(id=obj.pk, name=obj.name)


class ErrorOut(Out):
    """Every error answer: `detail` is a sentence, or for 422 a list of field errors."""

    detail: str | list[dict[str, Any]]


def errors(*codes: int) -> dict[int, Any]:
    """Error answers to document for an operation: `codes`, plus 401 (credentials), 422
    (schema) and 429 (token guessing), which any operation may give."""
    return {code: ErrorOut for code in sorted({401, 422, 429, *codes})}
