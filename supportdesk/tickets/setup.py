"""The only writers of ticket configuration: custom fields and ticket forms.

Tickets store custom field values under the field's key (`Ticket.custom_fields`), and
rules, views and reports address them as `custom_fields.KEY`, so a key and its type are
fixed once the field exists: a new meaning needs a new field. A field is retired by
disabling it, never deleted, so that old values keep their label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction

from supportdesk.accounts.models import User
from supportdesk.accounts.services import require_admin
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.models import CustomField, FieldType, TicketForm

# A key is used as a JSON key in database lookups (`custom_fields__KEY`), where a double
# underscore would read as a further lookup.
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_LABEL = 100
MAX_OPTION = 100
MAX_OPTIONS = 500
MAX_FORM_NAME = 100


@transaction.atomic
def save_custom_field(
    *,
    by: User | None,
    field: CustomField | None = None,
    key: str | None = None,
    label: str | None = None,
    type: str | None = None,  # noqa: A002 - the model's own field name
    options: Iterable[str] | None = None,
    required: bool | None = None,
    customer_visible: bool | None = None,
    position: int | None = None,
    enabled: bool | None = None,
) -> CustomField:
    """Create a custom field (`field=None`) or change the values given of one; None
    leaves a value as it is. `by=None` means the system (demo data, imports)."""
    require_admin(by)
    field = field or CustomField()
    creating = field.pk is None
    _set_key(field, key, creating)
    _set_type(field, type, creating)
    if label is not None or creating:
        field.label = _clean_label(label or "")
    if options is not None:
        field.options = _clean_options(options)
    if field.type == FieldType.DROPDOWN and not field.options:
        raise DomainError("choices: a dropdown needs at least one choice, one per line")
    if field.type != FieldType.DROPDOWN and field.options:
        raise DomainError(f"choices: only dropdown fields have choices, not {field.type} fields")
    if required is not None:
        field.required = required
    if customer_visible is not None:
        field.customer_visible = customer_visible
    if position is not None:
        field.position = _clean_position(position)
    if enabled is not None:
        field.enabled = enabled
    field.save()
    return field


def _set_key(field: CustomField, key: str | None, creating: bool) -> None:
    if not creating:
        if key is not None and key.strip().lower() != field.key:
            raise DomainError(
                "key: a field's key cannot change, since tickets store values under it"
            )
        return
    key = (key or "").strip().lower()
    if not key:
        raise DomainError("key: give the field a key, e.g. order_number")
    if not _KEY.match(key) or "__" in key:
        raise DomainError(
            "key: lower-case letters, digits and single underscores, starting with a "
            "letter, at most 50 characters (e.g. order_number)"
        )
    if CustomField.objects.filter(key=key).exists():
        raise DomainError(f"key: a field with the key {key!r} exists")
    field.key = key


def _set_type(field: CustomField, kind: str | None, creating: bool) -> None:
    if not creating:
        if kind is not None and kind != field.type:
            raise DomainError(
                "type: a field's type cannot change, since tickets hold values of the old "
                "type; add a new field instead"
            )
        return
    if kind not in FieldType.values:
        raise DomainError(f"type: one of {', '.join(FieldType.values)}")
    field.type = kind


def _clean_label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise DomainError("label: give the field a name people see, e.g. Order number")
    if len(label) > MAX_LABEL:
        raise DomainError(f"label: at most {MAX_LABEL} characters")
    return label


def _clean_options(options: Iterable[str]) -> list[str]:
    clean: list[str] = []
    for option in options:
        if not isinstance(option, str):
            raise DomainError("choices: each choice is a piece of text")
        value = " ".join(option.split())
        if not value:
            continue
        if len(value) > MAX_OPTION:
            raise DomainError(f"choices: {value[:20]!r}... is over {MAX_OPTION} characters")
        if value in clean:
            raise DomainError(f"choices: {value!r} is listed twice")
        clean.append(value)
    if len(clean) > MAX_OPTIONS:
        raise DomainError(f"choices: at most {MAX_OPTIONS}")
    return clean


def _clean_position(position: int) -> int:
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 2**31:
        raise DomainError("position: a whole number from 0")
    return position


@transaction.atomic
def save_ticket_form(
    *,
    by: User | None,
    form: TicketForm | None = None,
    name: str | None = None,
    fields: Iterable[CustomField] | None = None,
    position: int | None = None,
    enabled: bool | None = None,
) -> TicketForm:
    """Create a ticket form (`form=None`) or change the values given of one. `fields` is
    the full list of its custom fields; requesters see them in the fields' own order
    (their `position`)."""
    require_admin(by)
    form = form or TicketForm()
    if name is not None or form.pk is None:
        form.name = _clean_form_name(name or "", form)
    if position is not None:
        form.position = _clean_position(position)
    if enabled is not None:
        form.enabled = enabled
    form.save()
    if fields is not None:
        chosen = list(fields)
        for field in chosen:
            if not isinstance(field, CustomField) or field.pk is None:
                raise DomainError("fields: unknown custom field")
        form.fields.set(chosen)
    return form


def _clean_form_name(name: str, form: TicketForm) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError("name: give the form a name, e.g. Billing question")
    if len(name) > MAX_FORM_NAME:
        raise DomainError(f"name: at most {MAX_FORM_NAME} characters")
    if TicketForm.objects.filter(name__iexact=name).exclude(pk=form.pk).exists():
        raise DomainError(f"name: a form named {name!r} exists")
    return name
