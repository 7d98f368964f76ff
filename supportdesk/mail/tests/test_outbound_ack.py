"""The acknowledgement of a new ticket (the admin's template, the SLA's first-reply time)
and the loop protection of automatic mail, against a real SMTP server on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from supportdesk.accounts.models import User
from supportdesk.accounts.services import create_user
from supportdesk.mail.addresses import reply_address
from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import AutoReplyLog, Mailbox, Template
from supportdesk.mail.outbound import due_in_words, may_auto_reply
from supportdesk.mail.templates import (
    DEFAULT_TEMPLATES,
    SAMPLE_CONTEXT,
    check_template,
    render_template,
    template,
)
from supportdesk.mail.tests.desk import customer_mail
from supportdesk.mail.tests.smtp_server import Inbox
from supportdesk.sla.services import save_policy
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.services import create_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    def run(raw: bytes, mailbox: Mailbox) -> Ticket | None:
        with django_capture_on_commit_callbacks(execute=True):
            report = ingest(raw, mailbox=mailbox)
        return Ticket.objects.filter(pk=report.ticket).first()

    return run


def acks(smtp: Inbox) -> list[EmailMessage]:
    return [m for _, m in smtp.messages if m["Auto-Submitted"] == "auto-replied"]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def test_acknowledgement_without_sla_is_threaded_and_marked_automatic(
    smtp, mailbox, deliver_on_commit
):
    ticket = deliver_on_commit(customer_mail(), mailbox)
    [ack] = acks(smtp)
    assert smtp.to("ann@customer.test") == [ack]
    assert ack["Subject"] == f"[#{ticket.pk}] Printer on fire"
    assert ack["From"] == "Desk Support <support@desk.test>"
    assert ack["Reply-To"] == reply_address("support@desk.test", ticket.pk)
    assert ack["In-Reply-To"] == "<m1@customer.test>" == ack["References"]
    assert ack["Message-ID"].startswith(f"<sd.{ticket.pk}.ack.")
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ack.get_content_type() == "multipart/alternative"
    text = text_of(ack)
    assert text.startswith("Hello Ann,\n")
    assert f"the number #{ticket.pk}." in text
    assert "A member of our team will answer as soon as possible." in text
    assert "expect our first answer" not in text
    assert f"/requests/{ticket.pk}/" in text
    assert text.endswith("\n\nDesk Support\n\nYour request:\n\nMy printer is on fire.\n")
    html = ack.get_body(("html",)).get_content()
    assert f"the number #{ticket.pk}." in html and 'href="http' in html
    assert AutoReplyLog.objects.filter(address="ann@customer.test").count() == 1


def test_acknowledgement_names_the_first_reply_due_time_in_the_requesters_zone(
    smtp, mailbox, admin, deliver_on_commit
):
    save_policy(by=admin, name="Everyone", conditions=None, targets={"first_reply": 240},
                business_hours=False)  # fmt: skip
    ann = create_user(email="ann@customer.test", by=None, name="Ann Lee")
    User.objects.filter(pk=ann.pk).update(time_zone="Asia/Tokyo")
    ticket = deliver_on_commit(customer_mail(), mailbox)
    [ack] = acks(smtp)
    due = (ticket.created_at + timedelta(minutes=240)).astimezone(ZoneInfo("Asia/Tokyo"))
    text = text_of(ack)
    assert f"You can expect our first answer by {due:%H:%M} " in text
    assert "(JST)." in text
    assert "as soon as possible" not in text


def test_due_time_in_words() -> None:
    zone = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
    assert due_in_words(now + timedelta(hours=5), zone, now) == "15:00 today (CEST)"
    assert due_in_words(now + timedelta(hours=23), zone, now) == "09:00 tomorrow (CEST)"
    assert due_in_words(now + timedelta(days=3), zone, now) == "10:00 on Thursday (CEST)"
    later = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
    assert due_in_words(later, zone, now) == "09:00 on Thursday 24 December (CET)"


def test_the_admins_template_is_used_and_can_be_switched_off(smtp, mailbox, deliver_on_commit):
    Template.objects.create(
        name="acknowledgement",
        subject="We got it: {{ ticket.subject }}",
        body="Hi {{ requester.first_name }}! Ticket {{ ticket.number }} at {{ mailbox.name }}.",
    )
    ticket = deliver_on_commit(customer_mail(), mailbox)
    [ack] = acks(smtp)
    assert ack["Subject"] == f"[#{ticket.pk}] We got it: Printer on fire"  # "[#N]" kept
    assert text_of(ack).strip() == f"Hi Ann! Ticket {ticket.pk} at Desk Support."
    Template.objects.filter(name="acknowledgement").update(enabled=False)
    deliver_on_commit(customer_mail(message_id="<m2@customer.test>", subject="Again"), mailbox)
    assert len(acks(smtp)) == 1


def test_a_template_that_no_longer_renders_falls_back_to_the_default(
    smtp, mailbox, deliver_on_commit
):
    Template.objects.create(name="acknowledgement", subject="Hi", body="{{ ticket | nosuch }}")
    ticket = deliver_on_commit(customer_mail(), mailbox)
    [ack] = acks(smtp)
    assert f"the number #{ticket.pk}." in text_of(ack)


def test_templates_render_in_a_sandbox_and_edits_are_checked() -> None:
    subject, body, enabled = template("acknowledgement")
    assert (subject, body) == DEFAULT_TEMPLATES["acknowledgement"] and enabled
    assert render_template("acknowledgement", SAMPLE_CONTEXT)[0] == "[#1234] My invoice is wrong"
    assert check_template("Hi {{ ticket.number }}", "{{ requester.name }}") == ""
    assert check_template("", "x") == "subject: must not be empty"
    assert "undefined" in check_template("Hi", "{{ tikcet.number }}")
    assert "unsafe" in check_template("Hi", "{{ ticket.__class__.__mro__ }}")
    assert "too large" in check_template("Hi", "{{ 'x' * 10**12 }}")
    assert "line 2" in check_template("Hi", "ok\n{% if %}")


def test_portal_tickets_are_acknowledged_without_a_parent_to_thread_on(
    smtp, mailbox, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create_ticket(by=carol, requester=carol, subject="From the portal", body="Hi")
    [ack] = acks(smtp)
    assert ack["To"] == "carol@acme.test" and ack["In-Reply-To"] is None
    assert ack["Reply-To"] == reply_address("support@desk.test", ticket.pk)


@pytest.mark.parametrize(
    "header",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"List_Id": "<news.customer.test>"},
    ],
)
def test_automatic_and_bulk_mail_gets_no_acknowledgement(smtp, mailbox, deliver_on_commit, header):
    ticket = deliver_on_commit(customer_mail(**header), mailbox)
    assert ticket is not None  # still a ticket: a person may need to read it
    assert ticket.messages.get().metadata.get("no_auto_reply")
    assert acks(smtp) == []


def test_robots_and_our_own_addresses_are_never_auto_answered(mailbox, carol):
    ticket = create_ticket(by=carol, requester=carol, subject="s", body="b")
    message = ticket.messages.get()
    assert may_auto_reply("carol@acme.test", message) == ""
    robots = ["MAILER-DAEMON@mx.test", "noreply@shop.test", "no-reply@x.test"]
    robots += ["do-not-reply@x.test", "bounces+123@lists.test", "postmaster@x.test"]
    for robot in robots:
        assert may_auto_reply(robot, message) == "an automatic sender's address", robot
    for ours in ("support@desk.test", "Support+12-abcdefgh@desk.test", "support@localhost"):
        assert may_auto_reply(ours, message) == "one of our own addresses", ours
    Message.objects.filter(pk=message.pk).update(metadata={"no_auto_reply": "Auto-Submitted"})
    message.refresh_from_db()
    assert "no automatic replies (Auto-Submitted)" in may_auto_reply("carol@acme.test", message)


def test_automatic_mail_to_one_address_is_rate_limited(smtp, mailbox, deliver_on_commit, settings):
    settings.MAIL_AUTO_REPLY_LIMIT = 3
    for i in range(5):
        raw = customer_mail(f"Problem {i}", subject=f"Problem {i}", message_id=f"<p{i}@c.test>")
        deliver_on_commit(raw, mailbox)
    assert Ticket.objects.count() == 5
    assert len(acks(smtp)) == 3
    AutoReplyLog.objects.update(sent_at=datetime.now(UTC) - timedelta(minutes=61))
    deliver_on_commit(customer_mail(subject="Later", message_id="<later@c.test>"), mailbox)
    assert len(acks(smtp)) == 4  # an hour later it may go again
