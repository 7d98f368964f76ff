"""The action rows of the trigger and time-rule editors (views_rules.py).

A row shows the inputs of its kind only, each named after its kind's part of the value
(`act-0-group`, `act-0-mail_subject`...), so a row whose kind was changed without
JavaScript never reads the old kind's value as the new one's: it asks for a value. The
service (`actions.clean_actions`) checks what the rows build; its errors go back on the
row they name.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cached_property
from typing import Any

from supportdesk.accounts.models import Group, Role, User
from supportdesk.agent.view_editor_rows import Option
from supportdesk.automation.models import Macro
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.models import CustomField, Priority, Status, TicketType

ACTION_LABELS = {
    "set_status": "Set status",
    "set_priority": "Set priority",
    "set_type": "Set type",
    "set_group": "Move to group",
    "set_assignee": "Assign to",
    "add_tags": "Add tags",
    "remove_tags": "Remove tags",
    "set_field": "Set a custom field",
    "add_note": "Add an internal note",
    "send_email": "Send an e-mail",
    "notify": "Notify",
    "webhook": "Call a webhook",
    "apply_macro": "Apply a macro",
}
# The inputs of each kind, named act-N-<input>.
INPUTS = {
    "set_status": ("status",),
    "set_priority": ("priority",),
    "set_type": ("type",),
    "set_group": ("group",),
    "set_assignee": ("assignee",),
    "add_tags": ("tags",),
    "remove_tags": ("tags",),
    "set_field": ("field_key", "field_value"),
    "add_note": ("note",),
    "send_email": ("mail_to", "mail_address", "mail_template", "mail_subject", "mail_body"),
    "notify": ("to", "agents", "notify_text"),
    "webhook": ("webhook", "webhook_body"),
    "apply_macro": ("macro",),
}
ROUTING_LABELS = {
    "round_robin": "Routing: round-robin in the group",
    "least_loaded": "Routing: the least loaded agent",
    "skills": "Routing: an agent with the skills",
    "none": "Nobody (unassign)",
}
MAIL_TO_LABELS = {
    "requester": "The requester",
    "cc": "The people in CC",
    "assignee": "The assignee",
    "group": "The group's agents",
    "other": "Another address…",
}
NOTIFY_LABELS = {"assignee": "The assignee", "group": "The group", "group_lead": "The group's lead"}
MAIN_LABELS = {
    "set_status": "Status",
    "set_priority": "Priority",
    "set_type": "Type",
    "set_group": "Group",
    "set_assignee": "Assignee",
    "add_tags": "Tags",
    "remove_tags": "Tags",
    "set_field": "Field",
    "add_note": "Note",
    "send_email": "To",
    "webhook": "Endpoint",
    "apply_macro": "Macro",
}
TEXT_KINDS = {"add_tags", "remove_tags", "add_note"}
MAX_ACTION_ROWS = 40
_ACTION_WHERE = re.compile(r"^actions\[(\d+)\](?:\.[\w.]+)?: (.+)$", re.DOTALL)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19]


@dataclasses.dataclass
class ActionRow:
    """One action as typed: the raw values of its kind's inputs."""

    index: int
    kind: str = "add_tags"
    values: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    error: str = ""

    @property
    def prefix(self) -> str:
        return f"act-{self.index}"

    def one(self, name: str) -> str:
        return next((v.strip() for v in self.values.get(name, []) if v.strip()), "")

    def text(self, name: str) -> str:
        """A text as typed (not stripped: a note may start with spaces on purpose)."""
        return next(iter(self.values.get(name, [])), "")

    def build(self, fields: dict[str, str]) -> dict[str, Any]:
        """The stored form, before the service checks it; a ValueError says what to
        fill in. `fields`: the custom fields' types by key."""
        value = _BUILDERS.get(self.kind, _unknown)(self, fields)
        return {"action": self.kind, "value": value}


def _unknown(row: ActionRow, fields: dict[str, str]) -> Any:
    raise ValueError("Choose what the action does.")


def _pick(name: str, what: str) -> Any:
    def build(row: ActionRow, fields: dict[str, str]) -> Any:
        if not row.one(name):
            raise ValueError(f"Choose {what}.")
        return row.one(name)

    return build


def _pick_id(name: str, what: str) -> Any:
    def build(row: ActionRow, fields: dict[str, str]) -> Any:
        found = _ids([row.one(name)])
        if not found:
            raise ValueError(f"Choose {what}.")
        return found[0]

    return build


def _assignee(row: ActionRow, fields: dict[str, str]) -> Any:
    value = row.one("assignee")
    if value == "none":
        return None
    if value in ROUTING_LABELS:
        return value
    return _pick_id("assignee", "who gets the ticket")(row, fields)


def _tags(row: ActionRow, fields: dict[str, str]) -> list[str]:
    tags = [t for t in re.split(r"[,\s]+", row.one("tags")) if t]
    if not tags:
        raise ValueError("Enter one or more tags, separated by commas.")
    return tags


def _field(row: ActionRow, fields: dict[str, str]) -> dict[str, Any]:
    key, raw = row.one("field_key"), row.one("field_value")
    if not key:
        raise ValueError("Choose the custom field to set.")
    kind = fields.get(key, "")
    value: Any = raw
    if kind == "number" and raw:
        try:
            number = float(raw)
        except ValueError as exc:
            raise ValueError(f"{raw!r} is not a number.") from exc
        value = int(number) if number.is_integer() else number
    elif kind == "checkbox" and raw:
        if raw.lower() not in ("yes", "no"):
            raise ValueError("Choose yes or no.")
        value = raw.lower() == "yes"
    return {"key": key, "value": value}


def _note(row: ActionRow, fields: dict[str, str]) -> str:
    if not row.text("note").strip():
        raise ValueError("Write the note.")
    return row.text("note")


def _mail(row: ActionRow, fields: dict[str, str]) -> dict[str, Any]:
    to = row.one("mail_to")
    if to == "other":
        to = row.one("mail_address")
        if not to:
            raise ValueError("Enter the address to write to.")
    elif to not in MAIL_TO_LABELS:
        raise ValueError("Choose who gets the e-mail.")
    if row.one("mail_template"):
        return {"to": to, "template": row.one("mail_template")}
    if not row.one("mail_subject") or not row.text("mail_body").strip():
        raise ValueError("Write the subject and the text of the e-mail.")
    return {"to": to, "subject": row.one("mail_subject"), "body": row.text("mail_body")}


def _notify(row: ActionRow, fields: dict[str, str]) -> dict[str, Any]:
    to: list[Any] = [t for t in NOTIFY_LABELS if t in row.values.get("to", [])]
    to += _ids(row.values.get("agents", []))
    if not to:
        raise ValueError("Tick who is notified, or choose agents.")
    out: dict[str, Any] = {"to": to}
    if row.text("notify_text").strip():
        out["text"] = row.text("notify_text")
    return out


def _webhook(row: ActionRow, fields: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"endpoint": _pick_id("webhook", "an endpoint")(row, fields)}
    if row.text("webhook_body").strip():
        out["body"] = row.text("webhook_body")
    return out


_BUILDERS: dict[str, Any] = {
    "set_status": _pick("status", "the status"),
    "set_priority": _pick("priority", "the priority"),
    "set_type": _pick("type", "the type"),
    "set_group": _pick_id("group", "the group"),
    "set_assignee": _assignee,
    "add_tags": _tags,
    "remove_tags": _tags,
    "set_field": _field,
    "add_note": _note,
    "send_email": _mail,
    "notify": _notify,
    "webhook": _webhook,
    "apply_macro": _pick_id("macro", "the macro"),
}


def row_of(index: int, item: dict[str, Any]) -> ActionRow:
    """The row that edits a stored action."""
    kind, value = str(item.get("action", "")), item.get("value")
    row = ActionRow(index, kind)
    v: dict[str, Any] = value if isinstance(value, dict) else {}
    if kind in ("add_tags", "remove_tags") and isinstance(value, list):
        row.values = {"tags": [", ".join(str(t) for t in value)]}
    elif kind == "set_assignee":
        row.values = {"assignee": ["none" if value is None else str(value)]}
    elif kind == "set_field":
        raw = v.get("value")
        shown = (
            ("yes" if raw else "no") if isinstance(raw, bool) else "" if raw is None else str(raw)
        )
        row.values = {"field_key": [str(v.get("key", ""))], "field_value": [shown]}
    elif kind == "send_email":
        to = str(v.get("to", ""))
        mail_to, address = (to, "") if to in MAIL_TO_LABELS else ("other", to)
        row.values = {"mail_to": [mail_to], "mail_address": [address]}
        for name in ("template", "subject", "body"):
            row.values[f"mail_{name}"] = [str(v.get(name, ""))]
    elif kind == "notify":
        to = v.get("to", []) if isinstance(v.get("to"), list) else []
        row.values = {
            "to": [t for t in to if isinstance(t, str)],
            "agents": [str(t) for t in to if isinstance(t, int)],
            "notify_text": [str(v.get("text", ""))],
        }
    elif kind == "webhook":
        row.values = {
            "webhook": [str(v.get("endpoint", ""))],
            "webhook_body": [str(v.get("body", ""))],
        }
    elif kind in INPUTS and value is not None:
        row.values = {INPUTS[kind][0]: [str(value)]}
    return row


class ActionChoices:
    """What the action rows offer, each read at most once per request."""

    def __init__(self, keep_agents: list[int] | None = None) -> None:
        self.keep_agents = keep_agents or []

    @cached_property
    def agents(self) -> list[Option]:
        """Active admins and agents (who may be assigned and notified), and the people a
        rule names already, so a deactivated one shows up and saving names them."""
        wanted = User.objects.filter(role__in=(Role.ADMIN, Role.AGENT), is_active=True)
        if self.keep_agents:
            wanted = wanted | User.objects.filter(pk__in=self.keep_agents)
        return [
            Option(str(u.pk), f"{u.display_name} ({u.email}{'' if u.is_active else ', inactive'})")
            for u in wanted.order_by("name", "email")
        ]

    @cached_property
    def groups(self) -> list[Option]:
        found = Group.objects.order_by("name").values_list("pk", "name")
        return [Option(str(pk), name) for pk, name in found]

    @cached_property
    def webhooks(self) -> list[Option]:
        from supportdesk.webhooks.models import WebhookEndpoint

        found = WebhookEndpoint.objects.order_by("name").values_list("pk", "name", "enabled")
        return [Option(str(pk), n if on else f"{n} (disabled)") for pk, n, on in found]

    @cached_property
    def macros(self) -> list[Option]:
        found = Macro.objects.filter(owner=None).order_by("folder", "name")
        return [
            Option(str(pk), f"{folder} / {name}" if folder else name)
            for pk, name, folder in found.values_list("pk", "name", "folder")
        ]

    @cached_property
    def custom_fields(self) -> dict[str, tuple[str, str, list[str]]]:
        found = CustomField.objects.filter(enabled=True).order_by("position", "id")
        return {f.key: (f.label, f.type, [str(o) for o in f.options]) for f in found}

    def field_types(self) -> dict[str, str]:
        return {key: kind for key, (_, kind, _) in self.custom_fields.items()}

    def kinds(self, selected: str) -> list[Option]:
        return [Option(k, label, k == selected) for k, label in ACTION_LABELS.items()]

    def options(self, kind: str) -> list[Option]:
        """The options of a kind's main select."""
        if kind == "set_status":
            return [Option(s.value, str(s.label)) for s in Status if s != Status.NEW]
        if kind in ("set_priority", "set_type"):
            model = Priority if kind == "set_priority" else TicketType
            return [Option(c.value, str(c.label)) for c in model]
        if kind == "set_assignee":
            return [*(Option(k, v) for k, v in ROUTING_LABELS.items()), *self.agents]
        if kind == "set_field":
            return [Option(k, label) for k, (label, _, _) in self.custom_fields.items()]
        if kind == "send_email":
            return [Option(k, v) for k, v in MAIL_TO_LABELS.items()]
        found = {
            "set_group": "groups",
            "notify": "agents",
            "webhook": "webhooks",
            "apply_macro": "macros",
        }.get(kind)
        return getattr(self, found) if found else []


@dataclasses.dataclass
class ActionInputs:
    """One action row with what its inputs show, for the template."""

    row: ActionRow
    kinds: list[Option]
    options: list[Option]
    text: dict[str, str]
    recipients: list[Option]
    field_kind: str = ""
    field_options: list[str] = dataclasses.field(default_factory=list)

    @property
    def main(self) -> str:
        """The name of the kind's first input (its select, for most kinds)."""
        return INPUTS.get(self.row.kind, ("value",))[0]

    @property
    def label(self) -> str:
        return MAIN_LABELS.get(self.row.kind, "Value")


def action_inputs(row: ActionRow, choices: ActionChoices) -> ActionInputs:
    """The row's inputs showing what it holds; a chosen value that is gone (a deleted
    group) stays visible as such, so saving names it instead of dropping it."""
    names = INPUTS.get(row.kind, ())
    options: list[Option] = []
    if row.kind not in TEXT_KINDS and names:
        main = "agents" if row.kind == "notify" else names[0]
        picked = {p.strip() for p in row.values.get(main, []) if p.strip()}
        known = choices.options(row.kind)
        options = [Option(o.value, o.label, o.value in picked) for o in known]
        missing = sorted(picked - {o.value for o in known})
        options += [
            Option(v, f"#{v} (deleted)" if v.isdigit() else f"{v} (unknown)", True) for v in missing
        ]
    text = {
        name: (row.text(name) if name.endswith(("body", "note", "text")) else row.one(name))
        for name in names
    }
    recipients = [Option(k, v, k in row.values.get("to", [])) for k, v in NOTIFY_LABELS.items()]
    found = choices.custom_fields.get(row.one("field_key")) if row.kind == "set_field" else None
    return ActionInputs(
        row,
        choices.kinds(row.kind),
        options,
        text,
        recipients,
        field_kind=found[1] if found else "",
        field_options=found[2] if found else [],
    )


@dataclasses.dataclass
class RuleActions:
    """The action rows of a rule, with an error for the list as a whole."""

    rows: list[ActionRow] = dataclasses.field(default_factory=list)
    error: str = ""

    @classmethod
    def of_actions(cls, actions: list[dict[str, Any]] | None) -> RuleActions:
        if not actions:  # a new rule: one row to fill in
            return cls([ActionRow(0)])
        return cls([row_of(i, item) for i, item in enumerate(actions)])

    @classmethod
    def from_post(cls, data: Any) -> RuleActions:
        raw = str(data.get("act-count", "0"))
        count = min(int(raw), MAX_ACTION_ROWS) if raw.isascii() and raw.isdigit() else 0
        rows = []
        for i in range(count):
            kind = str(data.get(f"act-{i}-kind", "")).strip()
            values = {
                name: [str(v) for v in data.getlist(f"act-{i}-{name}")]
                for name in INPUTS.get(kind, ())
            }
            rows.append(ActionRow(i, kind, values))
        return cls(rows)

    def agent_ids(self) -> list[int]:
        found = []
        for row in self.rows:
            found += _ids(row.values.get("agents", []))
            if row.kind == "set_assignee":
                found += _ids([row.one("assignee")])
        return found

    def add_row(self, kind: str) -> None:
        self.rows.append(ActionRow(len(self.rows), kind if kind in ACTION_LABELS else "add_tags"))

    def remove_row(self, prefix: str) -> None:
        kept = [r for r in self.rows if r.prefix != prefix]
        self.rows = [ActionRow(i, r.kind, r.values) for i, r in enumerate(kept)]

    def find_row(self, prefix: str) -> ActionRow | None:
        return next((r for r in self.rows if r.prefix == prefix), None)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.error) + (1 if self.error else 0)

    def build(self, choices: ActionChoices) -> list[dict[str, Any]] | None:
        """The actions to save; None when a row (or the list) has an error."""
        built = []
        self.error = ""
        fields = choices.field_types()
        for row in self.rows:
            row.error = ""
            try:
                built.append(row.build(fields))
            except ValueError as exc:
                row.error = str(exc)
        if not self.rows:
            self.error = "Add at least one action: what the rule does."
        return None if self.error_count else built

    def put_error(self, exc: DomainError) -> bool:
        """Put a service error on the row it names ("actions[1].value: no group 9"), or on
        the list ("actions: ..."); False when it names neither."""
        message = str(exc)
        if message.startswith("actions: "):
            self.error = _sentence(message.removeprefix("actions: "))
            return True
        found = _ACTION_WHERE.match(message)
        if found is None or int(found.group(1)) >= len(self.rows):
            return False
        rest = found.group(2)
        if rest.startswith("no ") and "add it under" not in rest:
            rest = f"{rest.removesuffix('.')}: it was deleted or never existed; choose another"
        self.rows[int(found.group(1))].error = _sentence(rest)
        return True


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")
