"""/agent/admin/sla/rules/: warning and escalation rules, stalled-ticket rules and
emergency rules, each kind in its order, with an editor per kind.

The editors work like the policy editor (views/sla.py): every button posts the whole form;
"Add a condition", "Add an action", "Remove" and "Preview" answer with the form again
(nothing saved), the default button saves; with htmx a changed condition field or action
kind re-renders only its row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from supportdesk.adminui.access import admin_view, capped_count, show
from supportdesk.adminui.sla_forms import PolicyConditions
from supportdesk.adminui.sla_rule_forms import (
    ActionChoices,
    EmergencyForm,
    EscalationForm,
    RuleActions,
    RuleForm,
    StalledForm,
    action_inputs,
    add_rule_error,
)
from supportdesk.adminui.sla_rule_words import Rule, does_text, ref_names, when_text

# The policy editor's preview and htmx row refresh, shared so both editors behave alike.
from supportdesk.adminui.views.sla import condition_row, conditions_text, preview_matches
from supportdesk.agent.view_editor_rows import PARTS, Catalogue, inputs
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.sla import rules
from supportdesk.sla.models import EmergencyRule, EscalationRule, StalledRule

SECTION = "sla_rules"


@dataclass(frozen=True)
class Kind:
    """One kind of rule: its address, its words and its form."""

    slug: str
    model: type[EscalationRule] | type[StalledRule] | type[EmergencyRule]
    noun: str
    title: str
    form: type[RuleForm]
    has_actions: bool


KINDS = {
    k.slug: k
    for k in (
        Kind(
            "escalations",
            EscalationRule,
            "escalation rule",
            "Warnings and escalations",
            EscalationForm,
            True,
        ),
        Kind("stalled", StalledRule, "stalled-ticket rule", "Stalled tickets", StalledForm, True),
        Kind("emergencies", EmergencyRule, "emergency rule", "Emergencies", EmergencyForm, False),
    )
}


def _kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404("no such kind of rule")
    return KINDS[slug]


def _rule(kind: Kind, pk: int) -> Any:
    found = kind.model._default_manager.filter(pk=pk).first()
    if found is None:
        raise Http404(f"no such {kind.noun}")
    return found


def _list_url(kind: Kind) -> str:
    return f"{reverse('adminui:sla_rules')}#{kind.slug}"


# The list --------------------------------------------------------------------------------


@admin_view
def rule_list(request: AuthedRequest) -> HttpResponse:
    found: dict[str, list[Rule]] = {
        slug: list(k.model._default_manager.order_by("position", "id")) for slug, k in KINDS.items()
    }
    catalogue = Catalogue()
    names = ref_names((r for rows in found.values() for r in rows), catalogue)
    sections = [
        (
            kind,
            [
                {
                    "rule": r,
                    "conditions": conditions_text(r.conditions or {}, catalogue, names),
                    "when": when_text(r),
                    "does": does_text(r, names),
                }
                for r in found[slug]
            ],
        )
        for slug, kind in KINDS.items()
    ]
    context = {"section": SECTION, "sections": sections}
    return show(request, "adminui/sla_rule_list.html", context)


@admin_view
@require_POST
def rule_move(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    rule = _rule(spec, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    rules.move_rule(rule, by=request.user, offset=offset)
    word = "up" if offset < 0 else "down"
    messages.success(request, f"Moved {spec.noun} {rule.name} {word}.")
    return redirect(_list_url(spec))


# The editors -----------------------------------------------------------------------------


@dataclass
class Editor:
    """What one editor page holds while it is being edited."""

    kind: Kind
    rule: Any
    form: RuleForm
    conditions: PolicyConditions
    actions: RuleActions
    catalogue: Catalogue
    choices: ActionChoices
    conditions_error: str = ""


def _editor(request: AuthedRequest, kind: Kind, rule: Any) -> Editor:
    """The editor as stored (GET) or as typed (POST)."""
    catalogue = Catalogue()
    initial = kind.form.initial_of(rule)  # type: ignore[attr-defined]
    if request.method != "POST":
        conditions = PolicyConditions.of_conditions(rule.conditions if rule else None, catalogue)
        actions = RuleActions.of_actions(rule.actions if rule and kind.has_actions else None)
        data = None
    else:
        conditions = PolicyConditions.from_post(request.POST)
        actions = RuleActions.from_post(request.POST)
        data = request.POST
    extra: dict[str, Any] = {}
    if kind.model is EmergencyRule:
        extra["keep"] = list(rule.notify) if rule else []
    form = kind.form(data, initial=initial, **extra)
    choices = ActionChoices(actions.agent_ids())
    return Editor(kind, rule, form, conditions, actions, catalogue, choices)


@admin_view
def rule_edit(request: AuthedRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = _kind(kind)
    rule = _rule(spec, pk) if pk is not None else None
    ed = _editor(request, spec, rule)
    if request.method != "POST":
        preview = preview_matches(request, rule.conditions) if rule else None
        return _page(request, ed, preview=preview)
    post = request.POST
    if request.headers.get("HX-Request") == "true" and post.get("row"):
        return _refresh_row(request, ed, str(post["row"]))
    if post.get("remove"):
        ed.conditions.remove_row(str(post["remove"]))
    elif post.get("add_all") or post.get("add_any"):
        ed.conditions.add_row("all" if post.get("add_all") else "any")
    elif post.get("remove_action"):
        ed.actions.remove_row(str(post["remove_action"]))
    elif post.get("add_action"):
        ed.actions.add_row(str(post.get("add_kind", "")))
    elif post.get("preview"):
        built = ed.conditions.build(ed.catalogue)
        preview = preview_matches(request, built) if built is not None else {"error": True}
        return _page(request, ed, preview=preview)
    elif not post.get("refresh"):
        saved = _save(request, ed)
        if saved is not None:
            messages.success(request, f"Saved {spec.noun} {saved.name}.")
            return redirect(_list_url(spec))
        return _page(request, ed, status=400)
    return _page(request, ed)


def _refresh_row(request: AuthedRequest, ed: Editor, prefix: str) -> HttpResponse:
    if not prefix.startswith("act-"):
        return condition_row(request, ed.conditions, ed.catalogue, prefix)
    row = ed.actions.find_row(prefix)
    if row is None:
        return HttpResponse("That action is gone; reload the page.", status=400)
    row.recipients, row.agents, row.value = [], [], ""  # its kind changed: start afresh
    context = {"a": action_inputs(row, ed.choices), "form_url": request.path}
    return render(request, "adminui/sla_rule_action_row.html", context)


def _save(request: AuthedRequest, ed: Editor) -> Any:
    """Save through the service; None (and errors by their inputs) when refused. Every
    part is checked first, so all mistakes show at once, not one per attempt."""
    valid = ed.form.is_valid()
    conditions = ed.conditions.build(ed.catalogue)
    actions = ed.actions.build() if ed.kind.has_actions else []
    if not valid or conditions is None or actions is None:
        return None
    try:
        return SAVERS[ed.kind.slug](request, ed, conditions, actions)
    except DomainError as exc:
        if ed.conditions.put_error(exc) or ed.actions.put_error(exc, ed.choices):
            return None
        if str(exc).startswith("conditions: "):
            message = str(exc).removeprefix("conditions: ")
            ed.conditions_error = message[:1].upper() + message[1:] + "."
        else:
            add_rule_error(ed.form, exc)
        return None


def _save_escalation(
    request: AuthedRequest, ed: Editor, conditions: dict[str, Any], actions: list[Any]
) -> EscalationRule:
    data = ed.form.cleaned_data
    assert isinstance(ed.form, EscalationForm)
    return rules.save_escalation_rule(
        by=request.user,
        rule=ed.rule,
        name=data["name"],
        target=data["target"],
        when=data["when"],
        minutes=ed.form.total_minutes(),
        conditions=conditions,
        actions=actions,
        enabled=data["enabled"],
    )


def _save_stalled(
    request: AuthedRequest, ed: Editor, conditions: dict[str, Any], actions: list[Any]
) -> StalledRule:
    data = ed.form.cleaned_data
    return rules.save_stalled_rule(
        by=request.user,
        rule=ed.rule,
        name=data["name"],
        hours=data["hours"],
        conditions=conditions,
        actions=actions,
        enabled=data["enabled"],
    )


def _save_emergency(
    request: AuthedRequest, ed: Editor, conditions: dict[str, Any], actions: list[Any]
) -> EmergencyRule:
    data = ed.form.cleaned_data
    return rules.save_emergency_rule(
        by=request.user,
        rule=ed.rule,
        name=data["name"],
        conditions=conditions,
        notify=[u.pk for u in data["notify"]],
        webhook=data["webhook"],
        repeat_minutes=data["repeat_minutes"],
        enabled=data["enabled"],
    )


SAVERS: dict[str, Callable[[AuthedRequest, Editor, dict[str, Any], list[Any]], Any]] = {
    "escalations": _save_escalation,
    "stalled": _save_stalled,
    "emergencies": _save_emergency,
}


def _page(
    request: AuthedRequest,
    ed: Editor,
    *,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    kind, rule = ed.kind, ed.rule
    sections = [
        (part, [inputs(row, ed.catalogue) for row in ed.conditions.rows[part]]) for part in PARTS
    ]
    if rule is not None:
        form_url = reverse("adminui:sla_rule", args=[kind.slug, rule.pk])
    else:
        form_url = reverse("adminui:sla_rule_new", args=[kind.slug])
    context = {
        "section": SECTION,
        "kind": kind,
        "rule": rule,
        "form": ed.form,
        "conditions": ed.conditions,
        "conditions_error": ed.conditions_error,
        "sections": sections,
        "actions": ed.actions,
        "action_rows": [action_inputs(row, ed.choices) for row in ed.actions.rows],
        "action_kinds": ed.choices.kinds("notify"),
        "preview": preview,
        "form_url": form_url,
        "list_url": _list_url(kind),
    }
    return show(request, "adminui/sla_rule_edit.html", context, status=status)


# Delete ----------------------------------------------------------------------------------


@admin_view
def rule_delete(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """GET asks for confirmation, saying what goes with the rule; POST deletes."""
    spec = _kind(kind)
    rule = _rule(spec, pk)
    if request.method == "POST":
        rules.delete_rule(rule, by=request.user)
        messages.success(request, f"Deleted {spec.noun} {rule.name}.")
        return redirect(_list_url(spec))
    if spec.model is EmergencyRule:
        record = rule.emergencies
        still_open = capped_count(record.filter(acknowledged_at__isnull=True))
    else:
        record, still_open = rule.fired, ""
    context = {
        "section": SECTION,
        "kind": spec,
        "rule": rule,
        "fired": capped_count(record.all()),
        "still_open": still_open,
        "list_url": _list_url(spec),
    }
    return show(request, "adminui/sla_rule_delete.html", context)


urlpatterns = [
    path("", rule_list, name="sla_rules"),
    path("<slug:kind>/new/", rule_edit, name="sla_rule_new"),
    path("<slug:kind>/<int:pk>/", rule_edit, name="sla_rule"),
    path("<slug:kind>/<int:pk>/move/", rule_move, name="sla_rule_move"),
    path("<slug:kind>/<int:pk>/delete/", rule_delete, name="sla_rule_delete"),
]
