"""/agent/admin/automation/: triggers (rules run on ticket events) and time rules (rules
run on a clock), each listed in the order they run, with an editor and a test panel.

The editor works like the SLA rule editor: every button posts the whole form; "Add a
condition", "Add an action" and "Remove" answer with the form again (nothing saved), the
default button saves; with htmx a changed condition field or action kind re-renders only
its row. The test panel posts the form as typed to the same address and gets back a
count of matching tickets or a dry run on one ticket; it saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from supportdesk.adminui.access import add_domain_error, admin_view, capped_count, show
from supportdesk.agent.view_editor_rows import PARTS, fit_operator
from supportdesk.automation import services
from supportdesk.automation.actions import TRIGGER_ACTIONS, clean_actions
from supportdesk.automation.models import TimeRule, Trigger
from supportdesk.automation.rule_actions import ActionChoices, RuleActions, action_inputs
from supportdesk.automation.rule_forms import (
    RuleCatalogue,
    RuleConditions,
    RuleForm,
    TimeRuleForm,
    TriggerForm,
    check_since,
    count_matches,
    rule_inputs,
    try_on_ticket,
)
from supportdesk.automation.rule_words import does_text, ref_names, rule_conditions_text, when_text
from supportdesk.conditions.validate import validate
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.queries import access_ticket

SECTION = "automation"
Rule = Trigger | TimeRule


@dataclass(frozen=True)
class Kind:
    """One kind of rule: its address, its words, its form and its condition context."""

    slug: str
    model: type[Trigger] | type[TimeRule]
    noun: str
    title: str
    form: type[TriggerForm] | type[TimeRuleForm]
    context: str


KINDS = {
    k.slug: k
    for k in (
        Kind("triggers", Trigger, "trigger", "Triggers", TriggerForm, "event"),
        Kind("time-rules", TimeRule, "time rule", "Time rules", TimeRuleForm, "policy"),
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
    return reverse("automation_rules:rules", args=[kind.slug])


# The lists -------------------------------------------------------------------------------


@admin_view
def index(request: AuthedRequest) -> HttpResponse:
    return redirect(_list_url(KINDS["triggers"]))


@admin_view
def rule_list(request: AuthedRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    rules: list[Rule] = list(spec.model._default_manager.order_by("position", "id"))
    catalogue = RuleCatalogue(spec.context)
    names = ref_names(rules, catalogue)
    rows = [
        {
            "rule": r,
            "conditions": rule_conditions_text(r.conditions or {}, catalogue, names),
            "when": when_text(r),
            "does": does_text(r.actions or [], names),
        }
        for r in rules
    ]
    context = {"section": SECTION, "kind": spec, "kinds": KINDS.values(), "rows": rows}
    return show(request, "automation/rules_list.html", context)


@admin_view
@require_POST
def rule_enabled(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """Switch a rule on or off. Saving checks the rule again, so a rule whose group or
    agent was deleted since cannot be switched on until it is fixed."""
    spec = _kind(kind)
    rule = _rule(spec, pk)
    try:
        _resave(rule, request, enabled=not rule.enabled)
    except DomainError as exc:
        messages.error(request, f"{rule.name} was not changed: {exc}. Edit the rule to fix it.")
    else:
        state = "on" if rule.enabled else "off"
        messages.success(request, f"Switched {spec.noun} {rule.name} {state}.")
    return redirect(_list_url(spec))


def _resave(rule: Rule, request: AuthedRequest, *, enabled: bool) -> None:
    shared = {
        "by": request.user,
        "name": rule.name,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "enabled": enabled,
        "description": rule.description,
    }
    if isinstance(rule, Trigger):
        services.save_trigger(trigger=rule, event=rule.event, **shared)
    else:
        services.save_time_rule(
            rule=rule,
            since=rule.since,
            hours=rule.hours,
            business_hours=rule.business_hours,
            **shared,
        )


@admin_view
@require_POST
def rule_move(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    rule = _rule(spec, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.move(rule, by=request.user, offset=offset)
    word = "up" if offset < 0 else "down"
    messages.success(request, f"Moved {spec.noun} {rule.name} {word}.")
    return redirect(f"{_list_url(spec)}#rule-{rule.pk}")


@admin_view
@require_GET
def rule_matches(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """How many tickets the rule selects now: a fragment for the list's htmx button, a
    small page without JavaScript."""
    spec = _kind(kind)
    rule = _rule(spec, pk)
    context = {"section": SECTION, "kind": spec, "rule": rule, "where": "list", **_count(rule)}
    if request.htmx:
        return render(request, "automation/rules_count.html", context)
    return show(request, "automation/rules_matches.html", context)


def _count(rule: Rule) -> dict[str, Any]:
    try:
        return {"found": count_matches(rule), "is_trigger": isinstance(rule, Trigger)}
    except DomainError as exc:
        return {"problem": f"No count: {exc}."}


# The editor ------------------------------------------------------------------------------


@dataclass
class Editor:
    """What one editor page holds while it is being edited."""

    kind: Kind
    rule: Any
    form: RuleForm
    conditions: RuleConditions
    actions: RuleActions
    catalogue: RuleCatalogue
    choices: ActionChoices
    conditions_error: str = ""


def _editor(request: AuthedRequest, kind: Kind, rule: Any) -> Editor:
    """The editor as stored (GET, and the test panel's posts without JavaScript, which
    send no rule) or as typed (POST)."""
    catalogue = RuleCatalogue(kind.context)
    initial = kind.form.initial_of(rule)
    # PolicyConditions' constructors are typed as making a PolicyConditions; they make cls.
    conditions: Any
    if request.method == "POST" and "name" in request.POST:
        conditions = RuleConditions.from_post(request.POST)
        actions = RuleActions.from_post(request.POST)
        form = kind.form(request.POST, initial=initial)
    else:
        conditions = RuleConditions.of_conditions(rule.conditions if rule else None, catalogue)
        actions = RuleActions.of_actions(rule.actions if rule else None)
        form = kind.form(initial=initial)
    choices = ActionChoices(actions.agent_ids())
    return Editor(kind, rule, form, conditions, actions, catalogue, choices)


@admin_view
def rule_edit(request: AuthedRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = _kind(kind)
    rule = _rule(spec, pk) if pk is not None else None
    ed = _editor(request, spec, rule)
    if request.method != "POST":
        return _page(request, ed)
    post = request.POST
    if request.htmx and post.get("row"):
        return _refresh_row(request, ed, str(post["row"]))
    if post.get("count") or post.get("dry_run"):
        return _test(request, ed, "count" if post.get("count") else "dry_run")
    if post.get("remove"):
        ed.conditions.remove_row(str(post["remove"]))
    elif post.get("add_all") or post.get("add_any"):
        ed.conditions.add_row("all" if post.get("add_all") else "any")
    elif post.get("remove_action"):
        ed.actions.remove_row(str(post["remove_action"]))
    elif post.get("add_action"):
        ed.actions.add_row(str(post.get("add_kind", "")))
    elif not post.get("refresh"):
        saved = _save(request, ed)
        if saved is not None:
            messages.success(request, f"Saved {spec.noun} {saved.name}.")
            return redirect(f"{_list_url(spec)}#rule-{saved.pk}")
        return _page(request, ed, status=400)
    return _page(request, ed)


def _refresh_row(request: AuthedRequest, ed: Editor, prefix: str) -> HttpResponse:
    if prefix.startswith("act-"):
        action = ed.actions.find_row(prefix)
        if action is None:
            return HttpResponse("That action is gone; reload the page.", status=400)
        if not request.POST.get("keep"):
            action.values = {}  # its kind changed: start afresh
        context = {"a": action_inputs(action, ed.choices), "form_url": request.path}
        return render(request, "automation/rules_action_row.html", context)
    row = ed.conditions.find_row(prefix)
    if row is None:
        return HttpResponse("That condition is gone; reload the page.", status=400)
    fit_operator(row, ed.catalogue)
    context = {"r": rule_inputs(row, ed.catalogue), "form_url": request.path}
    return render(request, "agent/view_edit_row.html", context)


def _save(request: AuthedRequest, ed: Editor) -> Any:
    """Save through the service; None (and errors by their inputs) when refused. Every
    part is checked first, so all mistakes show at once, not one per attempt."""
    valid = ed.form.is_valid()
    conditions = ed.conditions.build(ed.catalogue)
    actions = ed.actions.build(ed.choices)
    if not valid or conditions is None or actions is None:
        return None
    data = ed.form.cleaned_data
    values = {
        "by": request.user,
        "name": data["name"],
        "conditions": conditions,
        "actions": actions,
        "enabled": data["enabled"],
        "description": data["description"],
    }
    try:
        if ed.kind.model is Trigger:
            return services.save_trigger(trigger=ed.rule, event=data["event"], **values)
        check_since(data["since"])
        return services.save_time_rule(
            rule=ed.rule,
            since=data["since"],
            hours=data["hours"],
            business_hours=data["business_hours"],
            **values,
        )
    except DomainError as exc:
        _put_error(ed, exc)
        return None


def _put_error(ed: Editor, exc: DomainError) -> None:
    if ed.conditions.put_error(exc) or ed.actions.put_error(exc):
        return
    message = str(exc)
    if message.startswith("conditions"):
        message = message.split(": ", 1)[-1]
        ed.conditions_error = message[:1].upper() + message[1:] + "."
    else:
        add_domain_error(ed.form, exc)


# The test panel --------------------------------------------------------------------------


def _candidate(request: AuthedRequest, ed: Editor, *, actions: bool) -> Rule:
    """The rule as typed, unsaved, checked as saving would check it (DomainError when
    it cannot be tried); the stored rule when the post holds none."""
    if "name" not in request.POST:
        if ed.rule is None:
            raise DomainError("fill in the rule above first")
        return ed.rule  # type: ignore[no-any-return]
    conditions = ed.conditions.build(ed.catalogue)
    if conditions is None:
        raise DomainError(f"a condition needs a change: {_first_row_error(ed)}")
    checked = validate(conditions, context=ed.kind.context)
    built: list[dict[str, Any]] = []
    if actions:
        typed = ed.actions.build(ed.choices)
        if typed is None:
            raise DomainError(f"an action needs a change: {_first_action_error(ed)}")
        built = clean_actions(typed, allowed=TRIGGER_ACTIONS)
    pk = ed.rule.pk if ed.rule else None
    if ed.kind.model is Trigger:
        event = str(request.POST.get("event", ""))
        return Trigger(pk=pk, name="test", event=event, conditions=checked, actions=built)
    since = str(request.POST.get("since", ""))
    check_since(since)
    try:
        hours = float(str(request.POST.get("hours", "")))
    except ValueError as exc:
        raise DomainError("enter the hours after which the rule fires") from exc
    if not 0.05 <= hours <= services.MAX_HOURS:
        raise DomainError(f"hours: between 0.05 and {services.MAX_HOURS:,}")
    business = request.POST.get("business_hours") in ("on", "true", "1")
    return TimeRule(
        pk=pk,
        name="test",
        since=since,
        hours=hours,
        business_hours=business,
        conditions=checked,
        actions=built,
    )


def _first_row_error(ed: Editor) -> str:
    for part in PARTS:
        for row in ed.conditions.rows[part]:
            if row.error:
                where = "all" if part == "all" else "any"
                return f"condition {row.index + 1} of “{where}”: {row.error}"
    return ""


def _first_action_error(ed: Editor) -> str:
    if ed.actions.error:
        return ed.actions.error
    found = next((r for r in ed.actions.rows if r.error), None)
    return f"action {found.index + 1}: {found.error}" if found else ""


def _test(request: AuthedRequest, ed: Editor, what: str) -> HttpResponse:
    context: dict[str, Any] = {"kind": ed.kind, "where": "edit"}
    raw = str(request.POST.get("test_ticket", "")).strip().lstrip("#")
    context["test_ticket"] = raw[:20]
    if "name" in request.POST:
        context["disabled"] = not request.POST.get("enabled")
    else:
        context["disabled"] = ed.rule is not None and not ed.rule.enabled
    try:
        rule = _candidate(request, ed, actions=what == "dry_run")
        if what == "count":
            context.update(_count(rule))
        elif not raw:
            context["dry_problem"] = "Enter a ticket number to try the rule on."
        else:
            ticket = access_ticket(request.user, raw)
            context["dry"] = try_on_ticket(rule, ticket)
            context["ticket"] = ticket
    except NotFound:
        context["dry_problem"] = f"There is no ticket #{raw[:20]}."
    except DomainError as exc:
        key = "problem" if what == "count" else "dry_problem"
        context[key] = _sentence(str(exc))
    template = "rules_count.html" if what == "count" else "rules_dry_run.html"
    if request.htmx:
        return render(request, f"automation/{template}", context)
    return _page(request, ed, test=context)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _page(
    request: AuthedRequest,
    ed: Editor,
    *,
    test: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    kind, rule = ed.kind, ed.rule
    sections = [
        (part, [rule_inputs(row, ed.catalogue) for row in ed.conditions.rows[part]])
        for part in PARTS
    ]
    if rule is not None:
        form_url = reverse("automation_rules:rule", args=[kind.slug, rule.pk])
    else:
        form_url = reverse("automation_rules:rule_new", args=[kind.slug])
    context = {
        "section": SECTION,
        "kind": kind,
        "kinds": KINDS.values(),
        "rule": rule,
        "form": ed.form,
        "conditions": ed.conditions,
        "conditions_error": ed.conditions_error,
        "sections": sections,
        "actions": ed.actions,
        "action_rows": [action_inputs(row, ed.choices) for row in ed.actions.rows],
        "action_kinds": ed.choices.kinds(""),
        "form_url": form_url,
        "list_url": _list_url(kind),
        "test": test or {},
    }
    return show(request, "automation/rules_edit.html", context, status=status)


# Delete ----------------------------------------------------------------------------------


@admin_view
def rule_delete(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    spec = _kind(kind)
    rule = _rule(spec, pk)
    if request.method == "POST":
        services.delete_rule(rule, by=request.user)
        messages.success(request, f"Deleted {spec.noun} {rule.name}.")
        return redirect(_list_url(spec))
    fired = capped_count(rule.fired.all()) if isinstance(rule, TimeRule) else ""
    context = {
        "section": SECTION,
        "kind": spec,
        "kinds": KINDS.values(),
        "rule": rule,
        "fired": fired,
        "list_url": _list_url(spec),
    }
    return show(request, "automation/rules_delete.html", context)
