"""Spam and the block list: flagged mail and blocked senders are suspended, not ticketed."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import BlockedSender, InboundMessage, Outcome
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def mail(
    sender: str = "Ann <ann@customer.test>", message_id: str = "<m@x.test>", **headers: str
) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "support@desk.test"
    m["Subject"] = "Cheap watches"
    m["Message-ID"] = message_id
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content("Buy now")
    return m.as_bytes()


def test_mail_flagged_by_the_mail_server_is_suspended() -> None:
    assert ingest(mail(X_Spam_Flag="YES")).line == "spam"
    record = InboundMessage.objects.get()
    assert record.outcome == Outcome.SUSPENDED and "X-Spam-Flag: YES" in record.reason
    assert (record.sender, record.subject) == ("ann@customer.test", "Cheap watches")
    assert ingest(mail(message_id="<ok@x.test>", X_Spam_Flag="NO")).line.startswith("new ticket")
    assert Ticket.objects.count() == 1


def test_a_score_at_or_over_the_threshold_is_spam(settings) -> None:  # type: ignore[no-untyped-def]
    assert ingest(mail(message_id="<1@x>", X_Spam_Score="5.0")).line == "spam"
    assert ingest(mail(message_id="<2@x>", X_Spam_Score="4.9")).line.startswith("new ticket")
    assert "spam score 5 in X-Spam-Score (threshold 5)" in (
        InboundMessage.objects.get(message_id="<1@x>").reason
    )
    settings.MAIL_SPAM_SCORE_HEADER = "X-Spam-Status"
    settings.MAIL_SPAM_THRESHOLD = 8.0
    status = "Yes, score=9.1 required=8.0 tests=BAYES_99"
    assert ingest(mail(message_id="<3@x>", X_Spam_Status=status)).line == "spam"
    # The old header is no longer read, and a score below the new threshold passes.
    assert ingest(mail(message_id="<4@x>", X_Spam_Score="7.5")).line.startswith("new ticket")
    low = "No, score=-0.3 required=8.0"
    assert ingest(mail(message_id="<5@x>", X_Spam_Status=low)).line.startswith("new ticket")


def test_blocked_addresses_and_domains_are_suspended(admin) -> None:  # type: ignore[no-untyped-def]
    BlockedSender.objects.create(pattern="promo@deals.test", created_by=admin)
    BlockedSender.objects.create(pattern="@spam.test")
    assert ingest(mail("Promo <Promo@Deals.test>", "<b1@x>")).line == "suspended: sender blocked"
    assert ingest(mail("x@spam.test", "<b2@x>")).line == "suspended: sender blocked"
    # Only the exact address or domain: a colleague and a subdomain are not blocked.
    assert ingest(mail("sales@deals.test", "<b3@x>")).line.startswith("new ticket")
    assert ingest(mail("x@mail.spam.test", "<b4@x>")).line.startswith("new ticket")
    reasons = set(
        InboundMessage.objects.filter(outcome=Outcome.SUSPENDED).values_list("reason", flat=True)
    )
    assert reasons == {"sender blocked (promo@deals.test)", "sender blocked (@spam.test)"}
