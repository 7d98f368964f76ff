"""What a ticket shows of an e-mail: the part its sender wrote (quoted history and
signature cut, in the text and the HTML), inline images pointing at the stored
attachments; and the full original one click away, for agents who may see the ticket."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.urls import reverse

from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import InboundMessage
from supportdesk.tickets.models import Attachment, Message
from supportdesk.tickets.structure import trash_ticket

pytestmark = pytest.mark.django_db

TEXT = """Thanks, the refund arrived.

On Mon, 2 Mar 2026 at 09:00, Support <support@desk.test> wrote:
> We refunded invoice 1042.
> Best, Alice
"""
HTML = """<div dir="ltr">Thanks, the refund arrived.<br><img src="cid:ii_abc@mail.gmail.com"
alt="receipt"></div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, 2 Mar 2026
at 09:00, Support wrote:</div><blockquote class="gmail_quote">We refunded invoice 1042.<br>
<img src="cid:logo@desk.test"></blockquote></div>"""
PNG = b"\x89PNG\r\n\x1a\nreceipt"


def gmail_reply(message_id: str = "<r1@customer.test>", html: str = HTML) -> bytes:
    m = EmailMessage()
    m["From"] = "Carol <carol@acme.test>"
    m["To"] = "support@desk.test"
    m["Subject"] = "Re: Invoice 1042"
    m["Message-ID"] = message_id
    m.set_content(TEXT)
    m.add_alternative(html, subtype="html")
    html_part = m.get_payload()[1]
    html_part.add_related(PNG, "image", "png", cid="<ii_abc@mail.gmail.com>", filename="r.png")
    m.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="bill.pdf")
    return m.as_bytes()


def test_a_message_shows_what_its_sender_wrote_with_its_images() -> None:
    report = ingest(gmail_reply())
    message = Message.objects.get()
    assert report.line == f"new ticket {message.ticket_id}"
    assert message.body == "Thanks, the refund arrived."
    assert "refund arrived" in message.html
    assert "We refunded" not in message.html and "gmail_quote" not in message.html
    image = Attachment.objects.get(filename="r.png")
    url = reverse("attachment", args=[image.token, image.filename])
    assert f'src="{url}"' in message.html and "cid:" not in message.html
    # The inline image stays an attachment too, beside the real one.
    assert sorted(message.attachments.values_list("filename", flat=True)) == ["bill.pdf", "r.png"]
    assert message.metadata["inbound"] == InboundMessage.objects.get().pk


def test_an_image_with_no_part_is_dropped_not_left_pointing_nowhere() -> None:
    ingest(gmail_reply(html=HTML.replace("cid:ii_abc@", "cid:gone@")))
    html = Message.objects.get().html
    assert "/__cid__/" not in html and 'src=""' in html


def test_a_message_of_only_an_image_still_opens_a_ticket() -> None:
    m = EmailMessage()
    m["From"] = "carol@acme.test"
    m["Subject"] = "Screenshot"
    m.set_content('<img src="cid:shot">', subtype="html")
    m.add_related(PNG, "image", "png", cid="<shot>")
    assert ingest(m.as_bytes()).line.startswith("new ticket")
    message = Message.objects.get()
    assert message.body == "(no text)" and "/files/" in message.html


def test_the_original_is_one_click_away_for_agents_who_may_see_the_ticket(
    client, alice, carol
) -> None:  # type: ignore[no-untyped-def]
    sent = gmail_reply()
    ingest(sent)
    record = InboundMessage.objects.get()
    url = reverse("mail:original", args=[record.pk])
    assert url == f"/agent/mail/original/{record.pk}/"
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "We refunded invoice 1042." in html  # the quoted history, in text and HTML
    assert "&gt; Best, Alice" in html
    image = Attachment.objects.get(filename="r.png")
    assert reverse("attachment", args=[image.token, image.filename]) in html
    assert "Message-ID" in html and "&lt;r1@customer.test&gt;" in html
    assert 'href="?raw=1"' in html
    raw = client.get(url + "?raw=1")
    assert raw["Content-Type"] == "message/rfc822"
    assert raw["Content-Disposition"] == f'attachment; filename="message-{record.pk}.eml"'
    assert raw.content == sent
    # Customers, even the requester, never get here; nor does anyone for mail that is on
    # no ticket (quarantined), or on a trashed ticket.
    client.force_login(carol)
    assert client.get(url).status_code == 302
    client.force_login(alice)
    ingest(b"Subject: nobody\r\n\r\nx\r\n")
    quarantined = InboundMessage.objects.get(ticket__isnull=True)
    assert client.get(reverse("mail:original", args=[quarantined.pk])).status_code == 404
    assert client.get(reverse("mail:original", args=[999_999])).status_code == 404
    trash_ticket(record.ticket, by=alice)
    assert client.get(url).status_code == 404
    assert client.get(url + "?raw=1").status_code == 404


FORWARDED = """FYI, see below.

---------- Forwarded message ---------
From: Dan <dan@acme.test>
Date: Mon, 2 Mar 2026 at 09:00
Subject: Invoice 1042
To: Carol <carol@acme.test>

Invoice 1042 was charged twice.
"""


def test_a_forward_that_opens_a_ticket_keeps_what_it_forwards() -> None:
    m = EmailMessage()
    m["From"] = "carol@acme.test"
    m["Subject"] = "Fwd: Invoice 1042"
    m["Message-ID"] = "<fw1@acme.test>"
    m.set_content(FORWARDED)
    ingest(m.as_bytes())
    assert "Invoice 1042 was charged twice." in Message.objects.get().body
    # On an existing ticket, a forward is a reply like any other: what it quotes is cut.
    m.replace_header("Message-ID", "<fw2@acme.test>")
    m["In-Reply-To"] = "<fw1@acme.test>"
    assert ingest(m.as_bytes()).line.startswith("reply on ticket")
    assert Message.objects.order_by("id").last().body == "FYI, see below."
