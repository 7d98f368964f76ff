"""Custom fields and ticket forms through the admin pages."""

from __future__ import annotations

from django.urls import reverse

from supportdesk.tickets.models import CustomField, TicketForm
from supportdesk.tickets.setup import save_custom_field

FIELD = {
    "label": "Product",
    "key": "product",
    "type": "dropdown",
    "choices": "Cloud\n\nOn premises\n",
    "required": "on",
    "customer_visible": "on",
    "position": "1",
    "enabled": "on",
}


def test_create_a_dropdown_field_then_edit_and_deactivate_it(as_admin):
    created = as_admin.post(reverse("adminui:field_new"), FIELD, follow=True)
    assert "Saved field Product." in created.content.decode()
    field = CustomField.objects.get(key="product")
    assert field.options == ["Cloud", "On premises"] and field.required and field.enabled
    url = reverse("adminui:field", kwargs={"pk": field.pk})
    page = as_admin.get(url).content.decode()
    assert "Cloud\nOn premises" in page and "Fixed once the field exists." in page
    # A changed key or type in a forged POST is ignored: both fields are disabled.
    as_admin.post(url, {**FIELD, "label": "Product line", "key": "other", "type": "text"})
    field.refresh_from_db()
    assert (field.label, field.key, field.type) == ("Product line", "product", "dropdown")
    off = as_admin.post(
        reverse("adminui:field_enabled", kwargs={"pk": field.pk}), {"enabled": "0"}, follow=True
    )
    assert "no longer in use; tickets keep their values" in off.content.decode()
    field.refresh_from_db()
    assert not field.enabled


def test_field_validation_errors_show_next_to_the_field_and_keep_the_input(as_admin, admin):
    no_choices = as_admin.post(reverse("adminui:field_new"), {**FIELD, "choices": ""})
    assert no_choices.status_code == 400
    body = no_choices.content.decode()
    assert "A dropdown needs at least one choice" in body and 'value="Product"' in body
    bad_key = as_admin.post(reverse("adminui:field_new"), {**FIELD, "key": "Bad Key"})
    assert "Lower-case letters, digits and single underscores" in bad_key.content.decode()
    save_custom_field(by=admin, key="product", label="P", type="text")
    taken = as_admin.post(reverse("adminui:field_new"), FIELD)
    assert "A field with the key &#x27;product&#x27; exists" in taken.content.decode()
    choices_on_text = as_admin.post(
        reverse("adminui:field_new"), {**FIELD, "key": "k", "type": "text"}
    )
    assert "Only dropdown fields have choices" in choices_on_text.content.decode()
    assert CustomField.objects.count() == 1


def test_create_and_edit_a_ticket_form_with_fields(as_admin, admin):
    plan = save_custom_field(by=admin, key="plan", label="Plan", type="text")
    order = save_custom_field(by=admin, key="order", label="Order", type="number")
    response = as_admin.post(
        reverse("adminui:form_new"),
        {
            "name": "Billing question",
            "custom_fields": [plan.pk, order.pk],
            "position": "0",
            "enabled": "on",
        },
        follow=True,
    )
    assert "Saved form Billing question." in response.content.decode()
    form = TicketForm.objects.get(name="Billing question")
    assert set(form.fields.all()) == {plan, order}
    url = reverse("adminui:form", kwargs={"pk": form.pk})
    as_admin.post(url, {"name": "Billing", "custom_fields": [order.pk], "position": "3"})
    form.refresh_from_db()
    assert (form.name, form.position, form.enabled) == ("Billing", 3, False)
    assert list(form.fields.all()) == [order]
    dup = as_admin.post(reverse("adminui:form_new"), {"name": "BILLING", "position": "0"})
    assert dup.status_code == 400 and "A form named" in dup.content.decode()
    as_admin.post(reverse("adminui:form_enabled", kwargs={"pk": form.pk}), {"enabled": "1"})
    form.refresh_from_db()
    assert form.enabled
    listing = as_admin.get(reverse("adminui:setup")).content.decode()
    assert "Billing" in listing and "Order" in listing
