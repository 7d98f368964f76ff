"""/agent/admin/organizations/: customer companies, their mail domains and sharing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from supportdesk.accounts.models import Organization
from supportdesk.accounts.services import delete_organization, save_organization
from supportdesk.adminui.access import admin_view, capped_count, paged, run_service, show
from supportdesk.adminui.forms import OrganizationForm
from supportdesk.lib.http import AuthedRequest


def _organization(pk: int) -> Organization:
    org = Organization.objects.filter(pk=pk).prefetch_related("domain_rows").first()
    if org is None:
        raise Http404("no such organization")
    return org


@admin_view
def organization_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    qs = Organization.objects.prefetch_related("domain_rows")
    if q:
        qs = qs.filter(name__icontains=q)
    # Ordered by the unique name: its index gives every page in a range scan.
    context = {"section": "organizations", "q": q, **paged(request, qs, ("name", "id"))}
    return show(request, "adminui/organizations.html", context)


@admin_view
def organization_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create an organization (no `pk`) or change one."""
    org = _organization(pk) if pk is not None else None
    initial = {}
    if org is not None:
        initial = {
            "name": org.name,
            "domains": "\n".join(sorted(d.domain for d in org.domain_rows.all())),
            "shared_tickets": org.shared_tickets,
            "notes": org.notes,
        }
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved: list[Organization] = []

        def save() -> None:
            saved.append(save_organization(by=request.user, organization=org, **form.cleaned_data))

        if run_service(form, save):
            messages.success(request, f"Saved organization {saved[0].name}.")
            return redirect("adminui:organizations")
    context: dict[str, Any] = {"section": "organizations", "org": org, "form": form}
    if org is not None:
        context["members"] = capped_count(org.members.all())
    status = 400 if form.errors else 200
    return show(request, "adminui/organization_edit.html", context, status=status)


@admin_view
def organization_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes. People and tickets stay, without it."""
    org = _organization(pk)
    if request.method == "POST":
        delete_organization(org, by=request.user)
        messages.success(request, f"Deleted organization {org.name}.")
        return redirect("adminui:organizations")
    context = {
        "section": "organizations",
        "org": org,
        "members": capped_count(org.members.all()),
        "tickets": capped_count(org.tickets.all()),
    }
    return show(request, "adminui/organization_delete.html", context)
