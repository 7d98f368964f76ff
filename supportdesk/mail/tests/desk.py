"""What the outbound, acknowledgement and round-trip tests share: a customer's mail to the
desk, and our mailbox sending through a real SMTP server on loopback (the `smtp` and
`mailbox` fixtures of conftest.py are built on these)."""

from __future__ import annotations

from email.message import EmailMessage

from supportdesk.mail.models import Mailbox
from supportdesk.mail.tests.smtp_server import Inbox

DESK = "support@desk.test"


def customer_mail(
    body: str = "My printer is on fire.",
    *,
    sender: str = "Ann Lee <ann@customer.test>",
    subject: str = "Printer on fire",
    message_id: str = "<m1@customer.test>",
    to: str = DESK,
    **headers: str,
) -> bytes:
    """A plain-text mail to the desk; `headers` with _ for - (In_Reply_To=...)."""
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = message_id
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(body)
    return m.as_bytes()


def our_mailbox(smtp: Inbox, address: str = DESK, name: str = "Desk Support") -> Mailbox:
    """One of our addresses, sending through its own SMTP server (the loopback one)."""
    return Mailbox.objects.create(
        name=name,
        address=address,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="none",
    )
