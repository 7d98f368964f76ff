"""/agent/admin/sla/: SLA policies in the order they are tried, business-hours calendars,
and each group's default calendar.

The policy editor works like the saved-view editor: every button posts the whole form;
"Add a condition", "Remove" and "Preview" answer with the form again (nothing saved), the
default button saves; with htmx a changed field or operator re-renders only its row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import Group, Organization, User
from supportdesk.adminui.access import admin_view, show
from supportdesk.adminui.sla_forms import (
    TARGET_LABELS,
    CalendarForm,
    PolicyConditions,
    PolicyForm,
    add_calendar_error,
    add_policy_error,
)
from supportdesk.agent.view_editor_rows import (
    OPERATOR_LABELS,
    PARTS,
    Catalogue,
    choice_label,
    fit_operator,
    inputs,
)
from supportdesk.conditions.compile import to_q
from supportdesk.conditions.fields import PYTHON_ONLY
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.queues.queries import capped_count
from supportdesk.sla.models import TARGETS, Calendar, GroupCalendar, Policy
from supportdesk.sla.services import (
    delete_calendar,
    delete_policy,
    move_policy,
    save_calendar,
    save_policy,
    set_group_calendar,
)
from supportdesk.tickets.models import Status, Ticket

SECTION = "sla"
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
REF_MODELS: dict[str, Any] = {
    "accounts.Group": Group,
    "accounts.User": User,
    "accounts.Organization": Organization,
}


def _policy(pk: int) -> Policy:
    found = Policy.objects.select_related("calendar").filter(pk=pk).first()
    if found is None:
        raise Http404("no such policy")
    return found


def _calendar(pk: int) -> Calendar:
    found = Calendar.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("no such calendar")
    return found


# Words for the list ----------------------------------------------------------------------


def duration(minutes: int) -> str:
    """90 -> "1 h 30 min"; 2880 -> "2 d"."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (mins, "min")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 min"


def targets_text(targets: dict[str, Any]) -> str:
    shown = [f"{TARGET_LABELS[k]} {duration(targets[k])}" for k in TARGETS if k in targets]
    return " · ".join(shown) or "No targets"


def _ref_names(policies: list[Policy], catalogue: Catalogue) -> dict[str, dict[int, str]]:
    """Names of the groups, agents and organizations the conditions name: a query per kind."""
    wanted: dict[str, set[int]] = {}
    for policy in policies:
        for part in PARTS:
            for item in (policy.conditions or {}).get(part, []):
                choice = catalogue.fields.get(item.get("field", ""))
                target = choice.field.refers_to if choice else None
                if target in REF_MODELS:
                    value = item.get("value")
                    found = value if isinstance(value, list) else [value]
                    wanted.setdefault(target, set()).update(i for i in found if isinstance(i, int))
    names: dict[str, dict[int, str]] = {}
    for target, ids in wanted.items():
        model = REF_MODELS[target]
        if model is User:
            rows = User.objects.filter(pk__in=ids).only("name", "email")
            names[target] = {u.pk: u.display_name for u in rows}
        else:
            names[target] = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    return names


def _condition_text(
    item: dict[str, Any], catalogue: Catalogue, names: dict[str, dict[int, str]]
) -> str:
    name, op, value = item.get("field", ""), item.get("operator", ""), item.get("value")
    choice = catalogue.fields.get(name)
    label = choice.label if choice else str(name)
    op_label = choice.operator_label(op) if choice else OPERATOR_LABELS.get(op, op)
    if op == "matches":
        return f"{label} matches /{value}/"
    if op == "is_empty":
        return f"{label} {op_label}"
    values = value if isinstance(value, list) else [value]
    if choice is not None and choice.field.refers_to in REF_MODELS:
        known = names.get(choice.field.refers_to or "", {})
        words = [known.get(v, f"#{v} (deleted)") if isinstance(v, int) else str(v) for v in values]
    elif choice is not None and choice.field.choices:
        words = [choice_label(str(v)) for v in values]
    elif choice is not None and choice.field.kind == "bool":
        words = ["yes" if v else "no" for v in values]
    else:
        words = [str(v) for v in values]
    return f"{label} {op_label} {', '.join(words)}"


def conditions_text(
    conditions: dict[str, Any], catalogue: Catalogue, names: dict[str, dict[int, str]]
) -> str:
    every = [_condition_text(i, catalogue, names) for i in conditions.get("all", [])]
    some = [_condition_text(i, catalogue, names) for i in conditions.get("any", [])]
    text = " and ".join(every)
    if some:
        either = " or ".join(some)
        text = f"{text}, and {either}" if text else either
    return text or "Every ticket"


# The overview ----------------------------------------------------------------------------


@admin_view
def sla_index(request: AuthedRequest) -> HttpResponse:
    policies = list(Policy.objects.select_related("calendar").order_by("position", "id"))
    catalogue = Catalogue()
    names = _ref_names(policies, catalogue)
    rows = [
        {
            "policy": p,
            "conditions": conditions_text(p.conditions or {}, catalogue, names),
            "targets": targets_text(p.targets or {}),
        }
        for p in policies
    ]
    calendars = list(Calendar.objects.annotate(used=Count("policies")).order_by("name"))
    links = dict(GroupCalendar.objects.values_list("group_id", "calendar_id"))
    groups = [(g, links.get(g.pk)) for g in Group.objects.order_by("name").only("name")]
    context = {"section": SECTION, "rows": rows, "calendars": calendars, "groups": groups}
    return show(request, "adminui/sla_index.html", context)


@admin_view
@require_POST
def policy_move(request: AuthedRequest, pk: int) -> HttpResponse:
    policy = _policy(pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    move_policy(policy, by=request.user, offset=offset)
    word = "earlier" if offset < 0 else "later"
    messages.success(request, f"Moved policy {policy.name} {word}.")
    return redirect(f"{reverse('adminui:sla')}#policies")


@admin_view
@require_POST
def group_calendar(request: AuthedRequest, pk: int) -> HttpResponse:
    group = Group.objects.filter(pk=pk).first()
    if group is None:
        raise Http404("no such group")
    raw = str(request.POST.get("calendar", ""))
    calendar = Calendar.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if raw and calendar is None:
        messages.error(request, "That calendar no longer exists; choose another.")
        return redirect(f"{reverse('adminui:sla')}#groups")
    set_group_calendar(group, calendar, by=request.user)
    if calendar is None:
        messages.success(request, f"Group {group.name} has no calendar now.")
    else:
        messages.success(request, f"Group {group.name} uses the calendar {calendar.name}.")
    return redirect(f"{reverse('adminui:sla')}#groups")


# Calendars -------------------------------------------------------------------------------


@admin_view
def calendar_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    calendar = _calendar(pk) if pk is not None else None
    form = CalendarForm(request.POST or None, initial=CalendarForm.initial_of(calendar))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = save_calendar(
                by=request.user,
                calendar=calendar,
                name=data["name"],
                timezone_name=data["timezone"],
                hours=form.hours(),
                country=data["country"].strip(),
                subdivision=data["subdivision"].strip(),
                dates=data["date_list"],
            )
        except DomainError as exc:
            add_calendar_error(form, exc)
        else:
            messages.success(request, f"Saved calendar {saved.name}.")
            return redirect(f"{reverse('adminui:sla')}#calendars")
    context = {"section": SECTION, "calendar": calendar, "form": form}
    status = 400 if form.errors else 200
    return show(request, "adminui/sla_calendar_edit.html", context, status=status)


@admin_view
def calendar_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes (refused while a policy uses it)."""
    calendar = _calendar(pk)
    error = ""
    if request.method == "POST":
        try:
            delete_calendar(calendar, by=request.user)
        except DomainError as exc:
            error = str(exc).removeprefix("calendar: ")
            error = f"This calendar cannot be deleted: it is {error}."
        else:
            messages.success(request, f"Deleted calendar {calendar.name}.")
            return redirect(f"{reverse('adminui:sla')}#calendars")
    policies = list(calendar.policies.order_by("position", "id").only("name"))
    groups = list(Group.objects.filter(pk__in=_groups_using(calendar)).order_by("name"))
    context = {
        "section": SECTION,
        "calendar": calendar,
        "policies": policies,
        "groups": groups,
        "error": error,
    }
    return show(request, "adminui/sla_calendar_delete.html", context, status=400 if error else 200)


def _groups_using(calendar: Calendar) -> Any:
    return GroupCalendar.objects.filter(calendar=calendar).values("group_id")


# Policies --------------------------------------------------------------------------------


@admin_view
def policy_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    policy = _policy(pk) if pk is not None else None
    catalogue = Catalogue()
    if request.method != "POST":
        form = PolicyForm(initial=PolicyForm.initial_of(policy))
        conditions = PolicyConditions.of_policy(policy, catalogue)
        preview = preview_matches(request, policy.conditions) if policy else None
        return _policy_page(request, policy, form, conditions, catalogue, preview=preview)
    form = PolicyForm(request.POST, initial=PolicyForm.initial_of(policy))
    conditions = PolicyConditions.from_post(request.POST)
    post = request.POST
    if request.headers.get("HX-Request") == "true" and post.get("row"):
        return condition_row(request, conditions, catalogue, str(post["row"]))
    if post.get("remove"):
        conditions.remove_row(str(post["remove"]))
    elif post.get("add_all") or post.get("add_any"):
        conditions.add_row("all" if post.get("add_all") else "any")
    elif post.get("preview"):
        built = conditions.build(catalogue)
        preview = preview_matches(request, built) if built is not None else {"error": True}
        return _policy_page(request, policy, form, conditions, catalogue, preview=preview)
    else:
        saved = _save_policy(request, policy, form, conditions, catalogue)
        if saved is not None:
            messages.success(request, f"Saved policy {saved.name}.")
            return redirect(f"{reverse('adminui:sla')}#policies")
        return _policy_page(request, policy, form, conditions, catalogue, status=400)
    return _policy_page(request, policy, form, conditions, catalogue)


def _save_policy(
    request: AuthedRequest,
    policy: Policy | None,
    form: PolicyForm,
    conditions: PolicyConditions,
    catalogue: Catalogue,
) -> Policy | None:
    """Save through the service; None (and errors on the form or rows) when refused."""
    valid = form.is_valid()
    built = conditions.build(catalogue)
    if not valid or built is None:
        return None
    data = form.cleaned_data
    try:
        return save_policy(
            by=request.user,
            policy=policy,
            name=data["name"],
            conditions=built,
            targets=form.targets(),
            calendar=data["calendar"],
            business_hours=data["business_hours"],
            pause_on=list(data["pause_on"]),
            enabled=data["enabled"],
        )
    except DomainError as exc:
        if not conditions.put_error(exc):
            add_policy_error(form, exc)
        return None


def preview_matches(request: AuthedRequest, conditions: dict[str, Any]) -> dict[str, Any]:
    """How many open tickets the conditions select now; regular expressions run only in
    Python, so a database count is not possible with them."""
    items = [i for part in PARTS for i in (conditions or {}).get(part, [])]
    if any(i.get("operator") in PYTHON_ONLY for i in items):
        return {"unavailable": True}
    tickets = Ticket.objects.visible_to(request.user).filter(status__in=OPEN_STATUSES)
    count, more = capped_count(tickets.filter(to_q(conditions)))
    return {"count": count, "more": more}


def condition_row(
    request: AuthedRequest, conditions: PolicyConditions, catalogue: Catalogue, prefix: str
) -> HttpResponse:
    row = conditions.find_row(prefix)
    if row is None:
        return HttpResponse("That condition is gone; reload the page.", status=400)
    fit_operator(row, catalogue)
    context = {"r": inputs(row, catalogue), "form_url": request.path}
    return render(request, "agent/view_edit_row.html", context)


def _policy_page(
    request: AuthedRequest,
    policy: Policy | None,
    form: PolicyForm,
    conditions: PolicyConditions,
    catalogue: Catalogue,
    *,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    sections = [(part, [inputs(row, catalogue) for row in conditions.rows[part]]) for part in PARTS]
    form_url = (
        reverse("adminui:sla_policy", args=[policy.pk])
        if policy
        else reverse("adminui:sla_policy_new")
    )
    context = {
        "section": SECTION,
        "policy": policy,
        "form": form,
        "conditions": conditions,
        "sections": sections,
        "preview": preview,
        "form_url": form_url,
    }
    return show(request, "adminui/sla_policy_edit.html", context, status=status)


@admin_view
def policy_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    policy = _policy(pk)
    if request.method == "POST":
        delete_policy(policy, by=request.user)
        messages.success(request, f"Deleted policy {policy.name}.")
        return redirect(f"{reverse('adminui:sla')}#policies")
    context = {"section": SECTION, "policy": policy}
    return show(request, "adminui/sla_policy_delete.html", context)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", sla_index, name="sla"),
    path("policies/new/", policy_edit, name="sla_policy_new"),
    path("policies/<int:pk>/", policy_edit, name="sla_policy"),
    path("policies/<int:pk>/move/", policy_move, name="sla_policy_move"),
    path("policies/<int:pk>/delete/", policy_delete, name="sla_policy_delete"),
    path("calendars/new/", calendar_edit, name="sla_calendar_new"),
    path("calendars/<int:pk>/", calendar_edit, name="sla_calendar"),
    path("calendars/<int:pk>/delete/", calendar_delete, name="sla_calendar_delete"),
    path("groups/<int:pk>/calendar/", group_calendar, name="sla_group_calendar"),
    path("rules/", include("supportdesk.adminui.views.sla_rules")),
]
