"""Macro pages: the list with use counts (/agent/macros/), the editor, and the two
pieces of the composer's picker (the searchable list, and a macro previewed on a ticket).

Agents keep their own macros here; admins also the shared ones. The picker sends the
chosen macro's id with the reply, and the reply view applies it (`chosen_macro`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from supportdesk.accounts.models import Group, Role, User
from supportdesk.adminui.access import add_domain_error
from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.automation.actions import MACRO_ACTIONS
from supportdesk.automation.macros import (
    MAX_FOLDER,
    MAX_NAME,
    WORKERS,
    access_macro,
    delete_macro,
    is_stale,
    macro_scope,
    macros_for,
    preview_macro,
    save_macro,
    search_macros,
    usage,
)
from supportdesk.automation.models import Macro
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.lib.pagination import keyset_page
from supportdesk.tickets.models import CustomField, FieldType, Priority, Status, TicketType
from supportdesk.tickets.queries import access_ticket

PAGE_SIZE = 50
PICKER_SIZE = 40


class MacroForm(forms.Form):
    name = forms.CharField(max_length=MAX_NAME)
    folder = forms.CharField(
        max_length=MAX_FOLDER, required=False, help_text="Macros are grouped by folder."
    )
    body = forms.CharField(
        label="Reply",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="For e-mail and the portal. Placeholders: {{ ticket.number }}, "
        "{{ ticket.subject }}, {{ requester.first_name }}, {{ agent.first_name }}, "
        "{{ ticket.custom_fields.KEY }}…",
    )
    chat_body = forms.CharField(
        label="Chat variant",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A short text used on chat tickets instead of the reply.",
    )
    public = forms.TypedChoiceField(
        label="Send as",
        choices=[("1", "Public reply"), ("0", "Internal note")],
        coerce=lambda v: v == "1",
        initial="1",
    )
    shared = forms.BooleanField(
        required=False, label="Shared with every agent", help_text="Only admins share macros."
    )
    enabled = forms.BooleanField(required=False, initial=True)


# The actions as rows of the editor: a kind and a value typed as words ("pending",
# "refund, vip", "order_id = 42"), turned into what `clean_actions` takes on save.
MAX_ROWS = 30
_ROW_ERROR = re.compile(r"^actions\[(\d+)\](?:\.\w+)?: (.+)$", re.DOTALL)
_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


@dataclass
class ActionRow:
    index: int
    action: str
    value: str
    error: str = ""

    @property
    def prefix(self) -> str:
        return f"act-{self.index}"


def _split_words(value: str) -> list[str]:
    return [w for w in re.split(r"[,\s]+", value) if w]


def _field_value(key: str, raw: str) -> Any:
    """A custom field value typed in a box, as its field's type wants it."""
    kind = CustomField.objects.filter(key=key).values_list("type", flat=True).first()
    raw = raw.strip()
    if not raw:
        return None
    if kind == FieldType.NUMBER:
        try:
            return int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            return raw
    if kind == FieldType.CHECKBOX and raw.lower() in _TRUE + _FALSE:
        return raw.lower() in _TRUE
    return raw


class ActionRows:
    """The editor's action rows, read from a post or from a saved macro."""

    def __init__(self, rows: list[ActionRow]) -> None:
        self.rows = rows
        self.error = ""
        self._parsed: list[dict[str, Any]] = []

    @classmethod
    def from_actions(cls, actions: list[dict[str, Any]]) -> ActionRows:
        groups = dict(Group.objects.values_list("pk", "name"))
        ids = [a["value"] for a in actions if a["action"] == "set_assignee"]
        emails = dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))
        rows = []
        for i, item in enumerate(actions):
            name, value = item["action"], item["value"]
            if name == "set_group":
                shown = groups.get(value, "")
            elif name == "set_assignee":
                shown = "nobody" if value is None else emails.get(value, "")
            elif name in ("add_tags", "remove_tags"):
                shown = ", ".join(value)
            elif name == "set_field":
                v = value["value"]
                shown = f"{value['key']} = {str(v).lower() if isinstance(v, bool) else v or ''}"
            else:
                shown = str(value)
            rows.append(ActionRow(i, name, shown))
        return cls(rows)

    @classmethod
    def from_post(cls, post: Any) -> ActionRows:
        try:
            count = min(int(post.get("act-count", "0")), MAX_ROWS)
        except ValueError:
            count = 0
        removed = post.get("remove_action", "")
        rows: list[ActionRow] = []
        for i in range(max(count, 0)):
            kind = post.get(f"act-{i}-action", "")
            if kind not in MACRO_ACTIONS or removed == f"act-{i}":
                continue
            rows.append(ActionRow(len(rows), kind, post.get(f"act-{i}-value", "")[:2000]))
        if "add_action" in post and len(rows) < MAX_ROWS:
            kind = post.get("add_kind", "")
            rows.append(ActionRow(len(rows), kind if kind in MACRO_ACTIONS else "set_status", ""))
        return cls(rows)

    def valid(self) -> bool:
        """Parse the typed values; a row that cannot be read gets its error."""
        self._parsed = []
        for row in self.rows:
            text = row.value.strip()
            value: Any = text
            if row.action in ("add_tags", "remove_tags"):
                value = _split_words(text)
            elif row.action == "set_assignee" and text.lower() in ("", "nobody"):
                value = None
            elif row.action in ("set_status", "set_priority", "set_type"):
                value = text.lower()
            elif row.action == "set_field":
                key, equals, raw = text.partition("=")
                if not equals or not key.strip():
                    row.error = "Write the field's key, =, and the value: order_id = 42"
                    continue
                value = {"key": key.strip(), "value": _field_value(key.strip(), raw)}
            self._parsed.append({"action": row.action, "value": value})
        return not any(row.error for row in self.rows)

    def actions(self) -> list[dict[str, Any]]:
        return self._parsed

    def take_error(self, exc: DomainError) -> bool:
        """Put a service error about one action on its row; False when not about one."""
        message = str(exc)
        match = _ROW_ERROR.match(message)
        if match and int(match.group(1)) < len(self.rows):
            text = match.group(2)
            self.rows[int(match.group(1))].error = text[:1].upper() + text[1:]
            return True
        if message.startswith("actions"):
            self.error = message.split(": ", 1)[-1]
            return True
        return False


def _can_edit(user: User, macro: Macro) -> bool:
    return user.is_admin or macro.owner_id == user.pk


@agent_required
@require_GET
def macro_list(request: AuthedRequest) -> HttpResponse:
    """Shared macros and the agent's own, with when each was last used and how often in
    the last 90 days; those unused for 90 days are marked stale."""
    user = request.user
    q = request.GET.get("q", "").strip()[:200]
    qs = search_macros(macro_scope(user).select_related("owner"), q=q)
    cursor = request.GET.get("cursor") or None
    try:
        rows, next_cursor = keyset_page(
            qs, order=("folder", "position", "name", "id"), limit=PAGE_SIZE, cursor=cursor
        )
    except DomainError:
        rows, next_cursor = keyset_page(
            qs, order=("folder", "position", "name", "id"), limit=PAGE_SIZE, cursor=None
        )
    used, now = usage(rows), timezone.now()
    items = [
        {
            "macro": m,
            "last_used": used[m.pk][0],
            "uses": used[m.pk][1],
            "stale": is_stale(used[m.pk][0], m.created_at, now=now),
            "editable": _can_edit(user, m),
        }
        for m in rows
    ]
    context = {
        "items": items,
        "q": q,
        "next": next_cursor,
        "paged": bool(cursor),
        "can_save": user.role in WORKERS,
    }
    template = "automation/macro_list.html"
    if request.htmx and request.htmx.target == "results":
        return render(request, f"{template}#results", context)
    return render_workspace(request, template, context)


def _macro_or_404(request: AuthedRequest, pk: int) -> Macro:
    try:
        return access_macro(request.user, pk)
    except NotFound as exc:
        raise Http404("no such macro") from exc


@agent_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a macro; its actions are rows that Add and Remove edit."""
    macro = None if pk is None else _macro_or_404(request, pk)
    user = request.user
    if user.role not in WORKERS or (macro is not None and not _can_edit(user, macro)):
        return _forbidden(request, macro)
    if request.method != "POST":
        form = MacroForm(initial=_initial(macro))
        rows = ActionRows.from_actions(macro.actions if macro else [])
        return _show_editor(request, macro, form, rows)
    form = MacroForm(request.POST)
    rows = ActionRows.from_post(request.POST)
    if "add_action" in request.POST or "remove_action" in request.POST:
        form.is_valid()  # keep what was typed, and show no errors yet
        form.errors.clear()
        return _show_editor(request, macro, form, rows)
    if form.is_valid() and rows.valid():
        data = form.cleaned_data
        try:
            saved = save_macro(by=user, macro=macro, actions=rows.actions(), **data)
        except DomainError as exc:
            if not rows.take_error(exc):
                add_domain_error(form, exc)
        else:
            messages.success(request, f"Macro {saved.name} saved.")
            return redirect("automation:macros")
    return _show_editor(request, macro, form, rows, status=400)


def _initial(macro: Macro | None) -> dict[str, Any]:
    if macro is None:
        return {"public": "1", "enabled": True}
    return {
        "name": macro.name,
        "folder": macro.folder,
        "body": macro.body,
        "chat_body": macro.chat_body,
        "public": "1" if macro.public else "0",
        "shared": macro.owner_id is None,
        "enabled": macro.enabled,
    }


def _show_editor(
    request: AuthedRequest,
    macro: Macro | None,
    form: MacroForm,
    rows: ActionRows,
    status: int = 200,
) -> HttpResponse:
    if not request.user.is_admin:
        form.fields["shared"].disabled = True
    context = {
        "macro": macro,
        "form": form,
        "rows": rows.rows,
        "actions_error": rows.error,
        "kinds": [(k, k.replace("_", " ").capitalize()) for k in MACRO_ACTIONS],
        "suggestions": _suggestions(),
        "form_url": request.path,
    }
    return render_workspace(request, "automation/macro_edit.html", context, status=status)


def _suggestions() -> dict[str, list[str]]:
    """What each kind of action takes, offered as a datalist under its value box."""
    agents = User.objects.filter(role__in=(Role.ADMIN, Role.AGENT), is_active=True)
    return {
        "set_status": [s for s in Status.values if s != Status.NEW],
        "set_priority": list(Priority.values),
        "set_type": list(TicketType.values),
        "set_group": list(Group.objects.order_by("name").values_list("name", flat=True)[:200]),
        "set_assignee": list(agents.order_by("email").values_list("email", flat=True)[:200]),
        "set_field": [
            f"{key} = " for key in CustomField.objects.values_list("key", flat=True)[:200]
        ],
    }


def _forbidden(request: AuthedRequest, macro: Macro | None) -> HttpResponse:
    context = {"macro": macro}
    return render_workspace(request, "automation/macro_forbidden.html", context, status=403)


@agent_required
@require_http_methods(["GET", "POST"])
def macro_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    macro = _macro_or_404(request, pk)
    if not _can_edit(request.user, macro):
        return _forbidden(request, macro)
    if request.method == "POST":
        try:
            delete_macro(macro, by=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Macro {macro.name} deleted.")
        return redirect("automation:macros")
    uses = usage([macro])[macro.pk][1]
    return render_workspace(request, "automation/macro_delete.html", {"macro": macro, "uses": uses})


@agent_required
@require_GET
def macro_pick(request: AuthedRequest, number: int) -> HttpResponse:
    """The composer's picker: the agent's macros matching `macro_q`, by folder."""
    ticket = _ticket(request, number)
    q = request.GET.get("macro_q", "").strip()[:200]
    found = list(macros_for(request.user, q=q)[: PICKER_SIZE + 1])
    folders: dict[str, list[Macro]] = {}
    for macro in found[:PICKER_SIZE]:
        folders.setdefault(macro.folder, []).append(macro)
    context = {
        "ticket": ticket,
        "folders": list(folders.items()),
        "more": len(found) > PICKER_SIZE,
        "q": q,
    }
    return render(request, "automation/macro_pick.html", context)


@agent_required
@require_GET
def macro_preview(request: AuthedRequest, number: int, pk: int) -> HttpResponse:
    """A macro rendered for this ticket: the text for the composer and the changes it
    will make when the reply is sent. Saves nothing."""
    ticket = _ticket(request, number)
    context: dict[str, Any] = {"ticket": ticket}
    try:
        macro = access_macro(request.user, pk)
        context["preview"] = preview_macro(macro, ticket, by=request.user)
    except (DomainError, NotFound) as exc:
        # Answered with 200 so that htmx shows the reason where the preview would be.
        context["error"] = str(exc) if isinstance(exc, DomainError) else "No such macro."
    return render(request, "automation/macro_preview.html", context)


def _ticket(request: AuthedRequest, number: int) -> Any:
    try:
        return access_ticket(request.user, number)
    except NotFound as exc:
        raise Http404("no such ticket") from exc


def chosen_macro(user: User, raw: str) -> Macro | None:
    """The macro the composer sent with a reply (its `macro` field), or None; a
    DomainError when it is no longer there for this agent."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return access_macro(user, raw)
    except NotFound as exc:
        raise DomainError("the chosen macro is no longer available; pick another") from exc
