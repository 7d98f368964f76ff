"""Categories and sections (/agent/kb/structure/): list, create, rename, reorder,
delete. Deleting one that still holds articles is refused by the service; the page says
why."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from supportdesk.adminui.access import add_domain_error
from supportdesk.agent.pages import agent_required
from supportdesk.kb import queries, services
from supportdesk.kb.forms import CategoryForm, SectionForm
from supportdesk.kb.models import Category, Section
from supportdesk.kb.views_common import can_edit, page, read_only
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest

# The two "new" forms share field names: their own ids keep the labels apart.
CAT_ID, SEC_ID = "new-category-%s", "new-section-%s"


def _structure(request: AuthedRequest, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "categories": queries.categories_with_sections(),
        "category_form": forms.get("category_form") or CategoryForm(auto_id=CAT_ID),
        "section_form": forms.get("section_form") or SectionForm(auto_id=SEC_ID),
        "error": forms.get("error", ""),
    }
    return page(request, "kb/agent/structure.html", context, status=status, section="structure")


@agent_required
@require_GET
def structure(request: AuthedRequest) -> HttpResponse:
    return _structure(request)


def _get(model: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("no such category or section")
    return found


@agent_required
@require_POST
def category_save(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    category: Category | None = _get(Category, pk)
    if not can_edit(request.user):
        return read_only(request)
    form = CategoryForm(request.POST, auto_id=CAT_ID)
    if form.is_valid():
        try:
            saved = services.save_category(
                by=request.user, category=category, name=form.cleaned_data["name"],
                description=category.description if category else "",
                position=form.cleaned_data["position"] or 0,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Category {saved.name} saved.")
            return redirect("kb:structure")
    if category is not None:  # a rename row: say what was wrong above the list
        return _structure(request, status=400, error=_first_error(form))
    return _structure(request, status=400, category_form=form)


@agent_required
@require_POST
def section_save(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    section: Section | None = _get(Section, pk)
    if not can_edit(request.user):
        return read_only(request)
    form = SectionForm(request.POST, auto_id=SEC_ID)
    if form.is_valid():
        try:
            saved = services.save_section(
                by=request.user, section=section, category=form.cleaned_data["category"],
                name=form.cleaned_data["name"],
                description=section.description if section else "",
                position=form.cleaned_data["position"] or 0,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Section {saved.name} saved.")
            return redirect("kb:structure")
    if section is not None:
        return _structure(request, status=400, error=_first_error(form))
    return _structure(request, status=400, section_form=form)


def _first_error(form: Any) -> str:
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{form.fields[name].label or name.capitalize()}: "
        return f"{label}{errors[0]}"
    return ""


@agent_required
@require_POST
def category_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return _delete(request, _get(Category, pk), services.delete_category)


@agent_required
@require_POST
def section_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return _delete(request, _get(Section, pk), services.delete_section)


def _delete(request: AuthedRequest, thing: Any, delete: Any) -> HttpResponse:
    if not can_edit(request.user):
        return read_only(request)
    try:
        delete(thing, by=request.user)
    except DomainError as exc:
        text = str(exc)
        return _structure(request, status=400, error=f"{thing.name}: {text[:1].upper()}{text[1:]}.")
    messages.success(request, f"{thing.name} deleted.")
    return redirect("kb:structure")
