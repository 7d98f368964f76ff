"""/requests/new/: subject, description, attachments, and the custom fields of a ticket
form; a confirmation mail; errors that keep what was typed."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.portal.tests.conftest import link_in, mails_to
from supportdesk.tickets.models import Channel, CustomField, Ticket, TicketForm


def _form_with_fields() -> TicketForm:
    fields = [
        CustomField.objects.create(key="order", label="Order number", type="number", required=True),
        CustomField.objects.create(
            key="product", label="Product", type="dropdown", options=["Basic", 42]
        ),
        CustomField.objects.create(key="since", label="Broken since", type="date"),
        CustomField.objects.create(key="urgent", label="It blocks my work", type="checkbox"),
        CustomField.objects.create(key="notes", label="Notes", type="text"),
        CustomField.objects.create(
            key="risk", label="Fraud risk", type="text", customer_visible=False
        ),
    ]
    form = TicketForm.objects.create(name="Order problem")
    form.fields.set(fields)
    return form


def test_a_request_is_filed_confirmed_by_mail_and_shown(client, carol, on_commit):
    client.force_login(carol)
    with on_commit():
        response = client.post(
            "/requests/new/", {"subject": "Printer jam", "body": "Paper stuck in tray 2."}
        )
    ticket = Ticket.objects.get()
    assert response.url == f"/requests/{ticket.pk}/"
    assert ticket.requester == carol and ticket.channel == Channel.PORTAL
    assert ticket.organization == carol.organization
    [confirmation] = mails_to("carol@acme.test")
    assert f"#{ticket.pk}" in confirmation.subject and "Paper stuck" in confirmation.body
    page = client.get(response.url)
    assert f"Request #{ticket.pk} received. We e-mailed you a confirmation.".encode() in (
        page.content
    )
    # The link in the mail leads to the request.
    link = link_in(confirmation, "/requests/")
    assert link == f"/requests/{ticket.pk}/"
    assert client.get(link).status_code == 200


def test_missing_fields_keep_what_was_typed(client, carol):
    client.force_login(carol)
    response = client.post("/requests/new/", {"subject": "", "body": "Typed <b>details</b>"})
    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert b"Typed &lt;b&gt;details&lt;/b&gt;" in response.content
    assert not Ticket.objects.exists()


def test_an_oversized_attachment_is_a_clear_error_and_the_text_stays(
    client, carol, media, settings
):
    settings.MAX_ATTACHMENT_BYTES = 1000
    client.force_login(carol)
    files = [
        SimpleUploadedFile("small.txt", b"ok", content_type="text/plain"),
        SimpleUploadedFile("huge.log", b"x" * 5000, content_type="text/plain"),
    ]
    response = client.post(
        "/requests/new/",
        {"subject": "Logs attached", "body": "My long description", "attachments": files},
    )
    assert response.status_code == 400
    assert b"huge.log: too large. Each file may be at most 1000" in response.content
    assert b'value="Logs attached"' in response.content
    assert b"My long description" in response.content
    assert not Ticket.objects.exists()
    assert not list(media.rglob("*.log"))


def test_attachments_are_stored_and_linked(client, carol, media):
    client.force_login(carol)
    files = [
        SimpleUploadedFile("one.txt", b"first", content_type="text/plain"),
        SimpleUploadedFile("two.png", b"\x89PNG", content_type="image/png"),
    ]
    response = client.post(
        "/requests/new/", {"subject": "Two files", "body": "See files", "attachments": files}
    )
    ticket = Ticket.objects.get()
    names = sorted(a.filename for a in ticket.messages.get().attachments.all())
    assert names == ["one.txt", "two.png"]
    page = client.get(response.url)
    assert b"/files/" in page.content and b"one.txt" in page.content


def test_a_ticket_form_adds_its_customer_visible_fields_without_javascript(client, carol):
    form = _form_with_fields()
    client.force_login(carol)
    page = client.get(f"/requests/new/?form={form.pk}")
    assert b"Order number" in page.content and b"Broken since" in page.content
    assert b"Fraud risk" not in page.content
    assert f'<option value="{form.pk}" selected>'.encode() in page.content
    plain = client.get("/requests/new/")
    assert b"Order number" not in plain.content and b"Order problem" in plain.content


def test_htmx_swaps_in_only_the_fields_of_the_chosen_form(client, carol):
    form = _form_with_fields()
    client.force_login(carol)
    part = client.get(f"/requests/new/?form={form.pk}", headers={"HX-Request": "true"})
    assert part.content.lstrip().startswith(b'<div id="custom-fields">')
    assert f'name="form" value="{form.pk}"'.encode() in part.content
    assert b"Order number" in part.content and b"<html" not in part.content


def test_custom_fields_are_validated_and_stored_typed(client, carol):
    form = _form_with_fields()
    client.force_login(carol)
    base = {"form": form.pk, "subject": "Wrong item", "body": "Sent the wrong size."}
    missing = client.post("/requests/new/", {**base, "cf_order": "", "cf_notes": "kept text"})
    assert missing.status_code == 400
    assert b"This field is required." in missing.content
    assert b"kept text" in missing.content
    bad = client.post("/requests/new/", {**base, "cf_order": "abc", "cf_since": "31/02/2026"})
    assert bad.status_code == 400
    assert b"Enter a number." in bad.content and b"Enter a valid date." in bad.content

    response = client.post(
        "/requests/new/",
        {
            **base,
            "cf_order": "1042",
            "cf_product": "42",
            "cf_since": "2026-01-31",
            "cf_urgent": "on",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.form == form
    assert ticket.custom_fields == {
        "order": 1042,
        "product": 42,
        "since": "2026-01-31",
        "urgent": True,
    }


def test_forms_customers_cannot_complete_or_disabled_ones_are_not_offered(client, carol):
    form = _form_with_fields()
    CustomField.objects.filter(key="risk").update(required=True)
    disabled = TicketForm.objects.create(name="Retired form", enabled=False)
    client.force_login(carol)
    page = client.get("/requests/new/")
    assert b"Order problem" not in page.content and b"Retired form" not in page.content
    assert b'id="id_pick"' not in page.content  # no form left: no picker at all
    posted = client.post(
        "/requests/new/", {"form": disabled.pk, "subject": "Old", "body": "Text stays"}
    )
    assert posted.status_code == 400
    assert b"no longer offered" in posted.content and b"Text stays" in posted.content
    assert form.pk and not Ticket.objects.exists()
