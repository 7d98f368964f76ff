"""Agents' public replies by e-mail: sent from the ticket's mailbox through its own SMTP
server (a real one on loopback), as text + HTML with signature and attachments, threaded;
failures retried, recorded and shown under the reply on the ticket page."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from supportdesk.accounts.services import save_group
from supportdesk.jobs import RETRIES
from supportdesk.mail.addresses import reply_address, ticket_of_address
from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import Mailbox
from supportdesk.mail.outbound import mailbox_of, thread_for
from supportdesk.mail.tests.desk import customer_mail
from supportdesk.mail.tests.smtp_server import Inbox
from supportdesk.notify.models import MailStatus, OutgoingEmail
from supportdesk.notify.tasks import deliver
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import Upload, create_ticket, reply, update_ticket

pytestmark = pytest.mark.django_db


def emailed_ticket(mailbox: Mailbox, on_commit, raw: bytes | None = None) -> Ticket:  # type: ignore[no-untyped-def]
    with on_commit():
        report = ingest(raw or customer_mail(), mailbox=mailbox)
    return Ticket.objects.get(pk=report.ticket)


def replies(smtp: Inbox) -> list[EmailMessage]:
    return [m for _, m in smtp.messages if "Auto-Submitted" not in m]


def test_public_reply_is_multipart_from_the_mailbox_with_signature_attachment_and_threading(
    smtp, mailbox, alice, erin, on_commit
):
    ticket = emailed_ticket(mailbox, on_commit)
    alice.signature = "Alice Agent\nBilling team, Desk Inc."
    alice.save(update_fields=["signature"])
    with on_commit():
        update_ticket(ticket, by=alice, changes={"cc": [erin]})
    with on_commit():
        reply(
            ticket,
            author=alice,
            body="We sent a technician.\nSee the attached report.",
            attachments=[Upload("report.pdf", "application/pdf", b"%PDF-1.4 report", 15)],
        )
    [msg] = replies(smtp)
    rcpts = next(r for r, m in smtp.messages if m is msg)
    assert sorted(rcpts) == ["ann@customer.test", "erin@globex.test"]
    assert msg["To"] == "ann@customer.test" and msg["Cc"] == "erin@globex.test"
    assert msg["From"] == '"Alice Agent (Desk Support)" <support@desk.test>'
    assert msg["Subject"] == f"[#{ticket.pk}] Re: Printer on fire"
    assert msg["Reply-To"] == reply_address("support@desk.test", ticket.pk)
    assert ticket_of_address(msg["Reply-To"]) == ticket.pk
    assert msg["Message-ID"].startswith(f"<sd.{ticket.pk}.") and msg["Message-ID"].endswith(
        "@desk.test>"
    )
    assert msg["In-Reply-To"] == "<m1@customer.test>"
    ack = OutgoingEmail.objects.get(kind="acknowledgement").message_id
    assert msg["References"] == f"{ack} <m1@customer.test>"  # the parent last
    assert msg.get_content_type() == "multipart/mixed"
    alternative = next(
        p for p in msg.iter_parts() if p.get_content_type() == "multipart/alternative"
    )
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for part in (text, html):
        assert "We sent a technician." in part and "Billing team, Desk Inc." in part
    assert "<br>See the attached report." in html
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "report.pdf"
    assert attachment.get_content() == b"%PDF-1.4 report"
    mail = OutgoingEmail.objects.get(kind="public_reply")
    assert mail.status == MailStatus.SENT and mail.mailbox == mailbox
    assert mail.ticket_message == ticket.messages.latest("id")


def test_internal_notes_never_go_to_customers(smtp, mailbox, alice, on_commit):
    ticket = emailed_ticket(mailbox, on_commit)
    with on_commit():
        reply(ticket, author=alice, body="Customer owes us 300 EUR", public=False)
    assert replies(smtp) == []
    assert not OutgoingEmail.objects.filter(ticket=ticket).exclude(kind="acknowledgement")
    assert all("owes us" not in m.as_string() for _, m in smtp.messages)


def test_an_agents_mail_on_a_closed_ticket_reaches_the_customer_from_its_follow_up(
    smtp, mailbox, admin, alice, on_commit
):
    ticket = emailed_ticket(mailbox, on_commit)
    update_ticket(ticket, by=admin, changes={"status": "solved"})
    update_ticket(ticket, by=admin, changes={"status": "closed"})
    agent_mail = customer_mail(
        "The spare part ships Monday.",
        sender=f"Alice <{alice.email}>",
        subject=f"Re: [#{ticket.pk}] Printer on fire",
        message_id="<a1@desk.test>",
    )
    with on_commit():
        report = ingest(agent_mail, mailbox=mailbox)
    follow_up = Ticket.objects.get(follow_up_of=ticket)
    assert report.line == f"follow-up ticket {follow_up.pk} of {ticket.pk}"
    # The customer gets the agent's answer on the new ticket, not an acknowledgement.
    [msg] = [m for m in replies(smtp) if m["Subject"].startswith(f"[#{follow_up.pk}]")]
    assert msg["To"] == "ann@customer.test"
    assert "The spare part ships Monday." in msg.get_body(("plain",)).get_content()
    assert not OutgoingEmail.objects.filter(ticket=follow_up, kind="acknowledgement")


def test_signature_is_added_once_and_not_when_the_agent_declined(smtp, mailbox, alice, on_commit):
    ticket = emailed_ticket(mailbox, on_commit)
    alice.signature = "Alice from Billing"
    alice.save(update_fields=["signature"])
    with on_commit():  # the composer signed it already
        reply(ticket, author=alice, body="One.\n\nAlice from Billing", metadata={"signed": True})
    with on_commit():  # the agent unticked "add my signature"
        reply(ticket, author=alice, body="Two.", metadata={"signed": False})
    with on_commit():  # the API: the mail adds it
        reply(ticket, author=alice, body="Three.")
    one, two, three = (m.get_body(("plain",)).get_content() for m in replies(smtp))
    assert one.count("Alice from Billing") == 1
    assert "Alice from Billing" not in two
    assert three.count("Alice from Billing") == 1


def test_later_replies_reference_the_whole_chain(smtp, mailbox, alice, on_commit):
    ticket = emailed_ticket(mailbox, on_commit)
    with on_commit():
        reply(ticket, author=alice, body="First answer.")
    first = replies(smtp)[0]
    with on_commit():
        ingest(
            customer_mail(
                "Thanks, one more thing.",
                subject=f"Re: [#{ticket.pk}] Printer on fire",
                message_id="<m2@customer.test>",
                In_Reply_To=first["Message-ID"],
            ),
            mailbox=mailbox,
        )
    with on_commit():
        reply(ticket, author=alice, body="Second answer.")
    second = replies(smtp)[1]
    assert second["In-Reply-To"] == "<m2@customer.test>"
    chain = second["References"].split()
    ack = OutgoingEmail.objects.get(kind="acknowledgement").message_id
    assert chain == ["<m1@customer.test>", ack, first["Message-ID"], "<m2@customer.test>"]


def test_references_are_capped_keeping_the_root(mailbox, alice, on_commit, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ticket = emailed_ticket(mailbox, on_commit)
    for i in range(30):
        OutgoingEmail.objects.create(
            kind="public_reply", to=["ann@customer.test"], subject="s", body="b",
            ticket=ticket, message_id=f"<sd.{ticket.pk}.{i}.x@desk.test>",
        )  # fmt: skip
    thread = thread_for(ticket, mailbox=mailbox, tag="t")
    chain = thread.references.split()
    ack = OutgoingEmail.objects.get(kind="acknowledgement").message_id
    # The oldest, the newest 18 of ours, and the customer's message this one answers.
    assert len(chain) == 20 and chain[0] == ack
    assert chain[1:-1] == [f"<sd.{ticket.pk}.{i}.x@desk.test>" for i in range(12, 30)]
    assert chain[-1] == thread.in_reply_to == "<m1@customer.test>"


def test_mailbox_of_prefers_the_inbound_mailbox_then_the_group_then_the_first(
    admin, alice, carol, mailbox, on_commit
):
    billing = save_group(by=admin, name="Billing", members=[alice])
    other = Mailbox.objects.create(name="Billing", address="billing@desk.test", group=billing)
    Mailbox.objects.create(name="Off", address="off@desk.test", enabled=False)
    portal = create_ticket(by=carol, requester=carol, subject="Portal", body="From the portal")
    assert mailbox_of(portal) == mailbox  # the first enabled one
    update_ticket(portal, by=alice, changes={"group": billing})
    assert mailbox_of(portal) == other  # the group's
    emailed = emailed_ticket(other, on_commit, customer_mail(message_id="<x@customer.test>"))
    update_ticket(emailed, by=alice, changes={"group": None})
    assert mailbox_of(emailed) == other  # the one its mail came in through
    Mailbox.objects.all().delete()
    assert mailbox_of(portal) is None


def test_without_a_mailbox_replies_go_from_the_site_address(carol, alice, on_commit, settings):
    from django.core import mail as django_mail

    settings.DEFAULT_FROM_EMAIL = "Help <help@site.test>"
    ticket = create_ticket(by=carol, requester=carol, subject="No mailbox", body="Hi")
    with on_commit():
        reply(ticket, author=alice, body="Hello Carol.")
    [sent] = [m for m in django_mail.outbox if m.subject.startswith(f"[#{ticket.pk}] Re:")]
    assert sent.from_email == "Help <help@site.test>" and sent.reply_to == []
    assert sent.extra_headers["Message-ID"].endswith("@site.test>")


def test_a_refused_recipient_fails_at_once_and_the_ticket_page_says_why(
    client, smtp, mailbox, alice, on_commit
):
    ticket = emailed_ticket(mailbox, on_commit)
    smtp.refuse_rcpt = "550 5.1.1 mailbox unavailable"
    with on_commit():
        reply(ticket, author=alice, body="Are you there?")
    mail = OutgoingEmail.objects.get(kind="public_reply")
    assert mail.status == MailStatus.FAILED and mail.attempts == 1
    assert "550" in mail.last_error and "mailbox unavailable" in mail.last_error
    client.force_login(alice)
    page = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Not delivered: ann@customer.test refused: 550 5.1.1 mailbox unavailable" in page


def test_a_temporary_failure_is_retried_then_given_up_and_shown(
    client, smtp, mailbox, alice, on_commit
):
    ticket = emailed_ticket(mailbox, on_commit)
    smtp.refuse_data = "451 4.3.0 try again later"
    with on_commit():
        reply(ticket, author=alice, body="Are you there?")
    mail = OutgoingEmail.objects.get(kind="public_reply")
    assert mail.status == MailStatus.QUEUED and mail.attempts == 1  # a retry is scheduled
    client.force_login(alice)
    page = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Sending… (attempt 1 failed: 451 4.3.0 try again later)" in page
    # The job's retries, run at once rather than 30 s apart: each fails, then it gives up.
    deliver(mail.pk, retry_delay=0)
    mail.refresh_from_db()
    assert mail.status == MailStatus.FAILED and mail.attempts == 2 + RETRIES
    page = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Not delivered: 451 4.3.0 try again later" in page
    assert replies(smtp) == []


def test_a_sent_reply_says_where_it_went_and_mail_shows_its_original(
    client, smtp, mailbox, alice, on_commit
):
    ticket = emailed_ticket(mailbox, on_commit)
    with on_commit():
        reply(ticket, author=alice, body="Done.")
    client.force_login(alice)
    page = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Sent to ann@customer.test" in page
    inbound = ticket.messages.order_by("id").first().metadata["inbound"]
    try:
        from django.urls import reverse

        original = reverse("mail:original", args=[inbound])
    except Exception:  # noqa: BLE001  (the original's view comes with the ingest work)
        original = ""
    if original:
        assert f'href="{original}">Show original</a>' in page
    assert page.count("Show original") == (1 if original else 0)


def test_the_ticket_page_reads_mail_in_a_fixed_number_of_queries(
    client, mailbox, alice, on_commit, django_assert_max_num_queries, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_host="")
    ticket = emailed_ticket(mailbox, on_commit)
    with on_commit():
        reply(ticket, author=alice, body="First.")
    client.force_login(alice)
    url = f"/agent/tickets/{ticket.pk}/"
    client.get(url)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    for i in range(8):
        with on_commit():
            ingest(
                customer_mail(
                    f"More {i}", subject=f"[#{ticket.pk}] more", message_id=f"<n{i}@customer.test>"
                ),
                mailbox=mailbox,
            )
        with on_commit():
            reply(ticket, author=alice, body=f"Answer {i}.")
    OutgoingEmail.objects.filter(kind="public_reply").update(status=MailStatus.FAILED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Not delivered") == 9
