"""/api/v1/kb/categories and /api/v1/kb/sections: where articles live.

Everyone signed in reads them (the help center shows them to visitors too); agents and
admins write them, so customers and light agents get a 403 on every write.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer

from supportdesk.api.auth import caller
from supportdesk.api.kb_schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPage,
    CategoryPatch,
    SectionIn,
    SectionOut,
    SectionPage,
    SectionPatch,
    SectionQuery,
    category_out,
    category_ref,
    section_out,
)
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import PageQuery, errors
from supportdesk.api.transactions import atomic
from supportdesk.kb import services
from supportdesk.kb.models import Category, Section
from supportdesk.lib.errors import NotFound
from supportdesk.lib.pagination import keyset_page

router = Router()
ERRORS = errors(400, 403, 404)
# The order of the help center: by position, then name.
ORDER = ("position", "name", "id")


def _category(pk: int) -> Category:
    found = Category.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound("no such category")
    return found


def _section(pk: int) -> Section:
    found = Section.objects.select_related("category").filter(pk=pk).first()
    if found is None:
        raise NotFound("no such section")
    return found


def _fields(obj: Category | Section) -> dict[str, Any]:
    return {
        "name": obj.name,
        "slug": obj.slug,
        "description": obj.description,
        "position": obj.position,
    }


@router.get("/categories", response={200: CategoryPage, **ERRORS})
def list_categories(request: HttpRequest, page: Query[PageQuery]) -> CategoryPage:
    """Every category, in the help center's order."""
    rows, next_cursor = keyset_page(
        Category.objects.all(), order=ORDER, limit=page.limit, cursor=page.cursor
    )
    return CategoryPage(items=[category_out(c) for c in rows], next=next_cursor)


@router.post("/categories", response={201: CategoryOut, **ERRORS})
@atomic
def create_category(request: HttpRequest, data: CategoryIn) -> Answer[CategoryOut]:
    category = services.save_category(by=caller(request), **data.model_dump())
    return Answer(201, category_out(category))


@router.get("/categories/{category_id}", response={200: CategoryOut, **ERRORS})
def read_category(request: HttpRequest, category_id: ObjectId) -> CategoryOut:
    return category_out(_category(category_id))


@router.patch("/categories/{category_id}", response={200: CategoryOut, **ERRORS})
@atomic
def change_category(
    request: HttpRequest, category_id: ObjectId, data: CategoryPatch
) -> CategoryOut:
    user = caller(request)
    services.require_author(user)
    category = _category(category_id)
    merged = {**_fields(category), **data.provided()}
    return category_out(services.save_category(by=user, category=category, **merged))


@router.delete("/categories/{category_id}", response={204: None, **ERRORS})
@atomic
def delete_category(request: HttpRequest, category_id: ObjectId) -> Answer[None]:
    """Only an empty category (no articles in any of its sections); its sections go too."""
    user = caller(request)
    services.require_author(user)
    services.delete_category(_category(category_id), by=user)
    return Answer(204, None)


@router.get("/sections", response={200: SectionPage, **ERRORS})
def list_sections(request: HttpRequest, filters: Query[SectionQuery]) -> SectionPage:
    """Every section (or one category's), in the help center's order."""
    qs = Section.objects.select_related("category")
    if filters.category is not None:
        qs = qs.filter(category=category_ref("category", filters.category))
    rows, next_cursor = keyset_page(qs, order=ORDER, limit=filters.limit, cursor=filters.cursor)
    return SectionPage(items=[section_out(s) for s in rows], next=next_cursor)


@router.post("/sections", response={201: SectionOut, **ERRORS})
@atomic
def create_section(request: HttpRequest, data: SectionIn) -> Answer[SectionOut]:
    user = caller(request)
    services.require_author(user)
    fields = data.model_dump()
    fields["category"] = category_ref("category", data.category)
    return Answer(201, section_out(services.save_section(by=user, **fields)))


@router.get("/sections/{section_id}", response={200: SectionOut, **ERRORS})
def read_section(request: HttpRequest, section_id: ObjectId) -> SectionOut:
    return section_out(_section(section_id))


@router.patch("/sections/{section_id}", response={200: SectionOut, **ERRORS})
@atomic
def change_section(request: HttpRequest, section_id: ObjectId, data: SectionPatch) -> SectionOut:
    user = caller(request)
    services.require_author(user)
    section = _section(section_id)
    merged = {**_fields(section), "category": section.category, **data.provided()}
    if data.category is not None:
        merged["category"] = category_ref("category", data.category)
    return section_out(services.save_section(by=user, section=section, **merged))


@router.delete("/sections/{section_id}", response={204: None, **ERRORS})
@atomic
def delete_section(request: HttpRequest, section_id: ObjectId) -> Answer[None]:
    """Only an empty section."""
    user = caller(request)
    services.require_author(user)
    services.delete_section(_section(section_id), by=user)
    return Answer(204, None)
