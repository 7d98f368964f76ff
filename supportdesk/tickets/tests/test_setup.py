"""Custom fields and ticket forms: admins define them, with clear errors for bad input."""

from __future__ import annotations

import pytest

from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.tickets.models import CustomField, FieldType
from supportdesk.tickets.services import create_ticket
from supportdesk.tickets.setup import save_custom_field, save_ticket_form


def test_admin_defines_a_dropdown_that_tickets_then_validate(admin, carol):
    field = save_custom_field(
        by=admin,
        key=" Product ",
        label="  Product   name ",
        type=FieldType.DROPDOWN,
        options=["Cloud", " ", "On premises "],
        required=True,
    )
    assert (field.key, field.label, field.options) == (
        "product",
        "Product name",
        ["Cloud", "On premises"],
    )
    form = save_ticket_form(by=admin, name="Technical problem", fields=[field])
    assert list(form.fields.all()) == [field]
    with pytest.raises(DomainError, match="product must be one of Cloud, On premises"):
        create_ticket(
            by=carol,
            requester=carol,
            subject="Down",
            body="x",
            properties={"form": form, "custom_fields": {"product": "Mainframe"}},
        )
    with pytest.raises(DomainError, match="product required by form"):
        create_ticket(
            by=carol, requester=carol, subject="Down", body="x", properties={"form": form}
        )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"key": "", "label": "L", "type": "text"}, "key: give the field a key"),
        ({"key": "Order number", "label": "L", "type": "text"}, "key: lower-case letters"),
        ({"key": "order__no", "label": "L", "type": "text"}, "single underscores"),
        ({"key": "9lives", "label": "L", "type": "text"}, "starting with a letter"),
        ({"key": "k", "label": " ", "type": "text"}, "label: give the field a name"),
        ({"key": "k", "label": "L", "type": "colour"}, "type: one of text, number"),
        ({"key": "k", "label": "L", "type": "dropdown"}, "a dropdown needs at least one"),
        ({"key": "k", "label": "L", "type": "dropdown", "options": ["a", "a"]}, "listed twice"),
        ({"key": "k", "label": "L", "type": "text", "options": ["a"]}, "only dropdown fields"),
        ({"key": "k", "label": "L", "type": "text", "position": -1}, "position"),
    ],
)
def test_bad_field_definitions_are_refused_with_the_reason(admin, values, message):
    with pytest.raises(DomainError, match=message):
        save_custom_field(by=admin, **values)
    assert not CustomField.objects.exists()


def test_key_is_unique_and_key_and_type_are_fixed_once_created(admin):
    field = save_custom_field(by=admin, key="plan", label="Plan", type=FieldType.TEXT)
    with pytest.raises(DomainError, match="a field with the key 'plan' exists"):
        save_custom_field(by=admin, key="PLAN", label="Plan 2", type=FieldType.TEXT)
    with pytest.raises(DomainError, match="key cannot change"):
        save_custom_field(by=admin, field=field, key="tier")
    with pytest.raises(DomainError, match="type cannot change"):
        save_custom_field(by=admin, field=field, type=FieldType.NUMBER)
    changed = save_custom_field(
        by=admin, field=field, key="plan", label="Plan name", enabled=False, required=True
    )
    changed.refresh_from_db()
    assert (changed.label, changed.enabled, changed.required) == ("Plan name", False, True)


def test_only_admins_define_fields_and_forms(alice, admin):
    with pytest.raises(PermissionDenied):
        save_custom_field(by=alice, key="plan", label="Plan", type=FieldType.TEXT)
    with pytest.raises(PermissionDenied):
        save_ticket_form(by=alice, name="Billing")
    assert save_ticket_form(by=admin, name="Billing").pk


def test_form_names_are_unique_and_needed(admin):
    form = save_ticket_form(by=admin, name="Billing question", position=2)
    with pytest.raises(DomainError, match="a form named 'billing question' exists"):
        save_ticket_form(by=admin, name="billing question")
    with pytest.raises(DomainError, match="name: give the form a name"):
        save_ticket_form(by=admin, name="  ")
    renamed = save_ticket_form(by=admin, form=form, name="Billing", enabled=False)
    renamed.refresh_from_db()
    assert (renamed.name, renamed.position, renamed.enabled) == ("Billing", 2, False)
