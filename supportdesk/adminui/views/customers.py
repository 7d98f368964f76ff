"""/agent/admin/customers/: find a customer, change their profile and addresses, merge
duplicates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import STAFF_ROLES, Role, User, UserEmail
from supportdesk.accounts.services import add_email, merge_customers, update_user
from supportdesk.adminui.access import admin_view, capped_count, paged, run_service, show
from supportdesk.adminui.forms import PROFILE_KEYS, AddressForm, CustomerForm, MergeForm
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import TicketFilter, filter_tickets

RECENT_TICKETS = 10


def _customer(pk: int) -> User:
    customer = (
        User.objects.filter(pk=pk, role=Role.CUSTOMER)
        .select_related("organization", "merged_into")
        .first()
    )
    if customer is None:
        raise Http404("no such customer")
    return customer


@admin_view
def customer_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    active = request.GET.get("status") != "inactive"
    # "Not on the team" rather than role=customer: with `role = ?` SQLite reads every
    # customer through the (role, name) index and sorts them all by id for one page;
    # NOT IN cannot use that index, so the page walks the primary key and stops at 51.
    qs = (
        User.objects.exclude(role__in=STAFF_ROLES)
        .filter(is_active=active)
        .select_related("organization")
        .prefetch_related("emails")
    )
    if q:
        other_addresses = UserEmail.objects.filter(email__icontains=q).values("user_id")
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(pk__in=other_addresses))
    # Newest first by id: the primary key orders every page, and no COUNT(*) runs.
    context = {"section": "customers", "q": q, "active": active, **paged(request, qs, ("-id",))}
    return show(request, "adminui/customers.html", context)


def _initial(customer: User) -> dict[str, Any]:
    initial: dict[str, Any] = {key: getattr(customer, key) for key in PROFILE_KEYS}
    initial["email"] = customer.email
    initial["organization"] = customer.organization.name if customer.organization else ""
    return initial


def _render(
    request: AuthedRequest,
    customer: User,
    *,
    profile: CustomerForm | None = None,
    address: AddressForm | None = None,
    merge: MergeForm | None = None,
) -> HttpResponse:
    tickets = filter_tickets(request.user, TicketFilter(requester=customer.pk))
    context = {
        "section": "customers",
        "customer": customer,
        "addresses": customer.emails.order_by("email"),
        "profile": profile or CustomerForm(initial=_initial(customer)),
        "address": address or AddressForm(),
        "merge": merge or MergeForm(),
        "tickets": tickets.select_related("assignee").order_by("-number")[:RECENT_TICKETS],
    }
    failed = any(f is not None and f.errors for f in (profile, address, merge))
    return show(request, "adminui/customer.html", context, status=400 if failed else 200)


@admin_view
def customer_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    customer = _customer(pk)
    if request.method != "POST":
        return _render(request, customer)
    form = CustomerForm(request.POST, initial=_initial(customer))
    if form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")

        def save() -> None:
            update_user(customer, by=request.user, organization=organization, **data)

        if run_service(form, save):
            messages.success(request, f"Saved {customer.display_name}.")
            return redirect("adminui:customer", pk=customer.pk)
    customer.refresh_from_db()
    return _render(request, customer, profile=form)


@require_POST
@admin_view
def customer_address(request: AuthedRequest, pk: int) -> HttpResponse:
    customer = _customer(pk)
    form = AddressForm(request.POST)
    if form.is_valid():
        added: list[str] = []

        def add() -> None:
            added.append(
                add_email(customer, email=form.cleaned_data["email"], by=request.user).email
            )

        if run_service(form, add):
            messages.success(request, f"Mail from {added[0]} now reaches {customer.display_name}.")
            return redirect("adminui:customer", pk=customer.pk)
    return _render(request, customer, address=form)


@require_POST
@admin_view
def customer_active(request: AuthedRequest, pk: int) -> HttpResponse:
    customer = _customer(pk)
    active = request.POST.get("active") == "1"
    try:
        update_user(customer, by=request.user, is_active=active)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        state = "is active again" if active else "is deactivated and cannot sign in"
        messages.success(request, f"{customer.display_name} {state}.")
    return redirect("adminui:customer", pk=customer.pk)


@admin_view
def customer_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET with `into` shows what would move; POST merges."""
    source = _customer(pk)
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _render(request, source, merge=form)
    target: User = form.cleaned_data["into"]
    if request.method == "POST":
        tickets = Ticket.objects.filter(requester=source).count()
        if run_service(form, lambda: merge_customers(source, target, by=request.user)):
            messages.success(
                request,
                f"Merged {source.display_name} into {target.display_name}: "
                f"{tickets} tickets and their addresses moved.",
            )
            return redirect("adminui:customer", pk=target.pk)
        return _render(request, source, merge=form)
    problem = _merge_problem(source, target)
    if problem:
        form.add_error("into", problem)
        return _render(request, source, merge=form)
    context = {
        "section": "customers",
        "source": source,
        "target": target,
        "into": request.GET.get("into", ""),
        "tickets": capped_count(Ticket.objects.filter(requester=source)),
        "addresses": source.emails.order_by("email"),
        "filled": [
            key
            for key in ("phone", "language", "time_zone", "segment")
            if getattr(source, key) and not getattr(target, key)
        ],
    }
    return show(request, "adminui/customer_merge.html", context)


def _merge_problem(source: User, target: User) -> str:
    """What the merge service would refuse, said before the confirmation page."""
    if target.pk == source.pk:
        return "That is this customer's own address; give another customer's."
    if target.role != Role.CUSTOMER:
        return f"{target.email} belongs to a member of the team, not a customer."
    if source.merged_into_id:
        return "This customer was merged into another one already."
    return ""
