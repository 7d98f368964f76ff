"""An admin sets up e-mail as a person does: adds a mailbox with the form and finds it on
the list with its sources in words; then releases a message that the spam filter held
back, and follows the link to the ticket it became."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import log_in, seeded_desk

pytestmark = pytest.mark.browser

# The suspended message is stored as ingest leaves spam (test data; spam detection itself
# is tested in the mail app).
SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_user, save_group
from supportdesk.mail.models import InboundMessage, Outcome
ann = create_user(
    email="ann@example.test", by=None, name="Ann Admin", role=Role.ADMIN, password="ann-pw-1"
)
ben = create_user(
    email="ben@example.test", by=None, name="Ben Agent", role=Role.AGENT, password="ben-pw-1"
)
save_group(by=ann, name="Billing", members=[ben], lead=ben)
raw = (
    b"From: Dana Buyer <dana@customer.test>\\r\\n"
    b"To: support@example.com\\r\\n"
    b"Subject: Refund for order 42\\r\\n"
    b"Message-ID: <refund-42@customer.test>\\r\\n"
    b"X-Spam-Flag: YES\\r\\n"
    b"\\r\\n"
    b"Please refund order 42, it arrived broken.\\r\\n"
)
InboundMessage.objects.create(
    key="<refund-42@customer.test>", message_id="<refund-42@customer.test>", raw=raw,
    sender="dana@customer.test", subject="Refund for order 42",
    outcome=Outcome.SUSPENDED, reason="X-Spam-Flag: YES",
)
"""


@pytest.fixture
def desk(tmp_path) -> Iterator[str]:
    """A `supportdesk serve --no-worker` with an admin, an agent, a group and a suspended
    message."""
    with seeded_desk(tmp_path, SEED) as url:
        yield url


def test_admin_adds_a_mailbox_and_releases_suspended_mail_into_a_ticket(desk, page):  # type: ignore[no-untyped-def]
    log_in(page, desk, "ann@example.test", "ann-pw-1")
    page.goto(f"{desk}/agent/admin/")
    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="E-mail").click()
    page.get_by_role("link", name="New mailbox").click()
    page.get_by_label("Address", exact=True).fill("support@example.com")
    page.get_by_label("Name", exact=True).fill("Example Support")
    page.get_by_label("Default group").select_option(label="Billing")
    page.get_by_label("IMAP server").fill("imap.example.com")
    page.get_by_label("IMAP username").fill("support")
    page.get_by_label("IMAP password").fill("imap-pw-1")
    page.get_by_role("button", name="Save").click()

    page.get_by_text("Added mailbox support@example.com.").wait_for()
    # The password is stored but never shown; the endpoint URL and a hidden secret are.
    assert page.get_by_label("IMAP password").input_value() == ""
    assert "/mail/inbound/" in page.locator("#endpoint").inner_text()
    assert not page.get_by_label("Endpoint secret").is_visible()
    page.locator("#endpoint summary").click()
    assert page.get_by_label("Endpoint secret").is_visible()

    page.get_by_role("link", name="Mailboxes", exact=True).first.click()
    row = page.locator("table.mailboxes tbody tr", has_text="support@example.com")
    assert "IMAP imap.example.com (every minute)" in row.inner_text()
    assert "Billing" in row.inner_text()

    page.get_by_role("navigation", name="E-mail").get_by_role("link", name="Suspended").click()
    held = page.locator("table.mail-messages tbody tr", has_text="Refund for order 42")
    assert "X-Spam-Flag: YES" in held.inner_text()
    held.get_by_role("button", name="Release").click()

    flash = page.locator(".flash")
    flash.get_by_text("Released: new ticket").wait_for()
    assert page.get_by_text("No suspended mail.").is_visible()
    flash.get_by_role("link", name="Open ticket").click()
    page.wait_for_url(lambda u: "/agent/tickets/" in u)
    assert "Refund for order 42" in page.locator("h1").first.inner_text()
    assert page.get_by_text("Please refund order 42, it arrived broken.").first.is_visible()
