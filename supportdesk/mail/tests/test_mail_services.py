"""What agents and admins do with mail that did not become a ticket: retry, release,
delete, block and unblock senders (mail/services.py)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.mail import services
from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import BlockedSender, InboundMessage, Outcome
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def mail(
    message_id: str = "<m1@customer.test>", sender: str = "ann@customer.test", **headers: str
) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "support@desk.test"
    m["Subject"] = "Order missing"
    m["Message-ID"] = message_id
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content("My order 77 never arrived.")
    return m.as_bytes()


def test_retry_after_a_fix_delivers_and_a_still_bad_message_stays_with_the_new_reason(
    settings,
) -> None:  # type: ignore[no-untyped-def]
    settings.MAIL_MAX_BYTES = 50
    assert ingest(mail()).line.startswith("quarantined: ")
    record = InboundMessage.objects.get()
    # Not parsed, yet the admin list can say who sent what.
    assert (record.sender, record.subject) == ("ann@customer.test", "Order missing")
    settings.MAIL_MAX_BYTES = 60
    still = services.retry(record)
    record.refresh_from_db()
    assert still.line.startswith("quarantined: ") and "limit of 60" in record.reason
    assert record.outcome == Outcome.QUARANTINED
    settings.MAIL_MAX_BYTES = 10_000
    report = services.retry(record)
    ticket = Ticket.objects.get()
    assert report.line == f"new ticket {ticket.pk}" and report.ticket == ticket.pk
    record.refresh_from_db()
    assert (record.outcome, record.ticket_id, record.reason) == (Outcome.NEW_TICKET, ticket.pk, "")
    # Stored under its hash while unparsed, it now holds its Message-ID: the same
    # message arriving again is a duplicate.
    assert record.key == "<m1@customer.test>"
    assert ingest(mail()).line == f"duplicate of message on ticket {ticket.pk}"
    with pytest.raises(DomainError, match="handled already"):
        services.retry(record)


def test_retrying_a_copy_of_a_message_received_since_keeps_it_quarantined(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAIL_MAX_BYTES = 50
    ingest(mail())
    settings.MAIL_MAX_BYTES = 10_000
    first = InboundMessage.objects.get()
    # The same message came again by another route and was ingested as usual.
    again = mail().replace(b"Subject:", b"X-Route: 2\nSubject:")
    ticket = ingest(again).ticket
    report = services.retry(first)
    assert report.line == f"quarantined: duplicate of a message already received on ticket {ticket}"
    assert Ticket.objects.count() == 1


def test_release_delivers_suspended_mail_without_the_spam_check(alice, lena) -> None:  # type: ignore[no-untyped-def]
    assert ingest(mail(X_Spam_Flag="YES")).line == "spam"
    record = InboundMessage.objects.get()
    with pytest.raises(PermissionDenied):
        services.release(record, by=lena)
    # A retry runs the spam check again: still spam.
    assert services.retry(record).line == "spam"
    report = services.release(record, by=alice)
    ticket = Ticket.objects.get()
    assert report.line == f"new ticket {ticket.pk}"
    record.refresh_from_db()
    assert (record.outcome, record.ticket_id) == (Outcome.NEW_TICKET, ticket.pk)
    with pytest.raises(DomainError, match="not suspended"):
        services.release(record, by=alice)


def test_delete_keeps_the_raw_message_and_only_admins_delete_quarantined_mail(admin, alice) -> None:  # type: ignore[no-untyped-def]
    ingest(mail("<spam@x>", X_Spam_Flag="YES"))
    ingest(b"Subject: nobody\r\n\r\nwho am I\r\n")
    spam = InboundMessage.objects.get(outcome=Outcome.SUSPENDED)
    broken = InboundMessage.objects.get(outcome=Outcome.QUARANTINED)
    services.delete(spam, by=alice)
    with pytest.raises(PermissionDenied):
        services.delete(broken, by=alice)
    services.delete(broken, by=admin)
    rows = InboundMessage.objects.all()
    assert {r.outcome for r in rows} == {Outcome.DELETED}
    assert all(bytes(r.raw) for r in rows)
    with pytest.raises(DomainError, match="handled already"):
        services.delete(spam, by=admin)


def test_block_and_unblock_senders(alice, lena) -> None:  # type: ignore[no-untyped-def]
    ingest(mail("<before@x>", sender="promo@deals.test"))  # received before the block
    blocked = services.block_sender("  Promo@Deals.TEST ", by=alice)
    assert (blocked.pattern, blocked.created_by) == ("promo@deals.test", alice)
    assert services.block_sender("promo@deals.test", by=alice).pk == blocked.pk  # once
    assert services.block_sender("@Spam.test", by=alice).pattern == "@spam.test"
    for bad in ("", "nobody", "@", "a@b@c.test", "@not a domain"):
        with pytest.raises(DomainError, match="pattern"):
            services.block_sender(bad, by=alice)
    with pytest.raises(PermissionDenied):
        services.block_sender("x@y.test", by=lena)
    # Nothing already received is suspended after the fact.
    assert InboundMessage.objects.get().outcome == Outcome.NEW_TICKET
    assert ingest(mail("<after@x>", sender="promo@deals.test")).line == "suspended: sender blocked"
    services.unblock("Promo@deals.test")
    assert list(BlockedSender.objects.values_list("pattern", flat=True)) == ["@spam.test"]
    assert ingest(mail("<later@x>", sender="promo@deals.test")).line.startswith("new ticket")


def test_a_retry_threads_by_the_envelope_recipients_of_the_first_delivery(settings, admin) -> None:  # type: ignore[no-untyped-def]
    from supportdesk.mail.addresses import reply_address

    first = ingest(mail()).ticket
    # The reply names its ticket only in the envelope (a Bcc to the reply address).
    envelope = [reply_address("support@desk.test", first)]
    settings.MAIL_MAX_BYTES = 50
    report = ingest(mail("<m2@customer.test>"), recipients=envelope)
    assert report.line.startswith("quarantined: ")
    record = InboundMessage.objects.get(message_id="")
    assert record.recipients == envelope
    settings.MAIL_MAX_BYTES = 10_000
    assert services.retry(record).line == f"reply on ticket {first}"


def test_a_sender_blocked_a_moment_ago_is_suspended_at_once(alice) -> None:  # type: ignore[no-untyped-def]
    # The block list is cached per process (mail/config.py): blocking clears that copy.
    assert ingest(mail("<c1@x>", sender="pest@annoy.test")).line.startswith("new ticket")
    services.block_sender("@annoy.test", by=alice)
    assert ingest(mail("<c2@x>", sender="pest@annoy.test")).line == "suspended: sender blocked"
    services.unblock("@annoy.test")
    assert ingest(mail("<c3@x>", sender="pest@annoy.test")).line.startswith("new ticket")
