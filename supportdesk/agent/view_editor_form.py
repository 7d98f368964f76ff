"""The whole saved-view form: name, sharing, sort, columns and the condition rows.

`ViewForm` holds what the person typed; `conditions()` builds the JSON of the condition
language from the rows, marking each row that cannot be saved; `save()` hands everything
to queues.services.save_view and puts its errors next to what they are about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from supportdesk.accounts.models import User
from supportdesk.agent.view_editor_rows import (
    PARTS,
    Catalogue,
    Row,
    RowError,
    from_condition,
    organization_names,
    rows_from_post,
    to_condition,
)
from supportdesk.conditions.validate import MAX_CONDITIONS, ConditionError
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.queues.models import COLUMN_LABELS, COLUMNS, DEFAULT_COLUMNS, SavedView
from supportdesk.queues.services import save_view
from supportdesk.tickets.queries import SORTS

SORT_LABELS = {
    "-updated_at": "Last updated, newest first",
    "sla_due_at": "Breaching next (tickets with an SLA)",
    "updated_at": "Last updated, oldest first",
    "-number": "Ticket number, newest first",
    "number": "Ticket number, oldest first",
}
BLANK_ROWS = 2
# Rows a browser may send per section: the language's maximum plus room for blank rows.
MAX_ROWS = MAX_CONDITIONS + 10
WHERE = re.compile(r"^conditions\.(all|any)\[(\d+)\]: ")


@dataclass
class ViewForm:
    name: str = ""
    shared: bool = False
    sort: str = "-updated_at"
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))
    rows: dict[str, list[Row]] = field(default_factory=lambda: {p: [] for p in PARTS})
    errors: dict[str, str] = field(default_factory=dict)  # "" for the whole form
    denied: bool = False  # the service refused for the person's role (a 403)
    # The rows that made each built condition, to put a save error on the right row.
    built_from: dict[str, list[Row]] = field(default_factory=dict)

    @classmethod
    def from_view(cls, view: SavedView | None, catalogue: Catalogue) -> ViewForm:
        """The form of a stored view (or a new one), with blank rows to fill in."""
        form = cls()
        if view is not None:
            form.name, form.shared, form.sort = view.name, view.shared, view.sort
            form.columns = list(view.columns) or list(DEFAULT_COLUMNS)
            conditions = view.conditions or {}
            names = organization_names(conditions)
            for part in PARTS:
                form.rows[part] = [
                    from_condition(part, i, item, catalogue, names)
                    for i, item in enumerate(conditions.get(part, []))
                ]
        for part in PARTS:
            for _ in range(BLANK_ROWS):
                form.add_row(part)
        return form

    @classmethod
    def from_post(cls, data: Any) -> ViewForm:
        return cls(
            name=str(data.get("name", "")),
            shared=bool(data.get("shared")),
            sort=str(data.get("sort", "")),
            columns=[str(c) for c in data.getlist("columns")],
            rows={part: rows_from_post(data, part, limit=MAX_ROWS) for part in PARTS},
        )

    def add_row(self, part: str) -> None:
        rows = self.rows[part]
        rows.append(Row(part, len(rows)))

    def remove_row(self, prefix: str) -> None:
        for part in PARTS:
            kept = [r for r in self.rows[part] if r.prefix != prefix]
            self.rows[part] = [
                Row(part, i, r.field, r.operator, r.values) for i, r in enumerate(kept)
            ]

    def find_row(self, prefix: str) -> Row | None:
        return next((r for p in PARTS for r in self.rows[p] if r.prefix == prefix), None)

    @property
    def general_error(self) -> str:
        return self.errors.get("", "")

    @property
    def row_errors(self) -> int:
        return sum(1 for p in PARTS for r in self.rows[p] if r.error)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(r.error for p in PARTS for r in self.rows[p])

    def conditions(self, catalogue: Catalogue) -> dict[str, list[dict[str, Any]]] | None:
        """The conditions of the non-blank rows, or None when a row has an error (then
        every row with an error says what is wrong, not only the first)."""
        built: dict[str, list[dict[str, Any]]] = {}
        for part in PARTS:
            built[part], self.built_from[part] = [], []
            for row in self.rows[part]:
                row.error = ""
                if row.blank:
                    continue
                try:
                    item = to_condition(row, catalogue)
                except RowError as exc:
                    row.error = str(exc)
                    continue
                built[part].append(item)
                self.built_from[part].append(row)
                # Shown from now on as stored: names typed for a select become its ids.
                names = organization_names({"all": [item]})
                row.values = from_condition(part, row.index, item, catalogue, names).values
        if any(r.error for p in PARTS for r in self.rows[p]):
            return None
        return built

    def check_basics(self) -> None:
        if not " ".join(self.name.split()):
            self.errors["name"] = "Give the view a name."
        if self.sort not in SORTS:
            self.errors["sort"] = "Choose a sort order."
        if not self.columns:
            self.errors["columns"] = "Choose at least one column."
        elif any(c not in COLUMNS for c in self.columns):
            self.errors["columns"] = "Choose columns from the list."

    def save(self, *, by: User, view: SavedView | None, catalogue: Catalogue) -> SavedView | None:
        """Save through the service; None (and errors on the form) when it refuses."""
        self.check_basics()
        conditions = self.conditions(catalogue)
        if conditions is None or self.has_errors:
            return None
        # Agents never see the checkbox; if one sends it anyway, the service refuses.
        shared = self.shared if by.is_admin else (True if self.shared else None)
        try:
            return save_view(
                by=by,
                view=view,
                name=self.name,
                conditions=conditions,
                sort=self.sort,
                columns=[c for c in COLUMNS if c in self.columns],
                shared=shared,
            )
        except DomainError as exc:
            self.add_error(exc)
            return None

    def add_error(self, exc: DomainError) -> None:
        """Put a service error on the row or input it names ("sort: ...")."""
        message = str(exc)
        self.denied = isinstance(exc, PermissionDenied)
        found = WHERE.match(message)
        if isinstance(exc, ConditionError) and found:
            part, i = found.group(1), int(found.group(2))
            if i < len(self.built_from.get(part, [])):
                self.built_from[part][i].error = message[found.end() :]
                return
        key, _, rest = message.partition(": ")
        if key in ("name", "sort", "columns") and rest and not isinstance(exc, PermissionDenied):
            self.errors[key] = _sentence(rest)
        else:
            self.errors[""] = _sentence(message)

    # What the template shows --------------------------------------------------------------

    def sort_options(self) -> list[tuple[str, str, bool]]:
        return [(key, SORT_LABELS.get(key, key), key == self.sort) for key in SORTS]

    def column_options(self) -> list[tuple[str, str, bool]]:
        return [(key, COLUMN_LABELS.get(key, key), key in self.columns) for key in COLUMNS]


def _sentence(text: str) -> str:
    text = text.strip() or "This cannot be saved"
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
