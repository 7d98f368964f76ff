"""An agent answers a ticket with a macro, as a person does: opens the ticket, presses
`m` (Escape closes the picker), finds the macro by typing, picks it with the keyboard,
reads the filled-in reply and the change it will make, sends, and sees the reply and the
new status; the macro list then counts the use."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import seeded_desk

pytestmark = pytest.mark.browser

SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_user, save_organization
from supportdesk.automation.macros import save_macro
from supportdesk.tickets.services import create_ticket
ann = create_user(
    email="ann@example.test", by=None, name="Ann Admin", role=Role.ADMIN, password="ann-pw-1"
)
create_user(
    email="ben@example.test", by=None, name="Ben Agent", role=Role.AGENT, password="ben-pw-1"
)
save_organization(by=None, name="Acme", domains=["acme.test"])
carol = create_user(email="carol@acme.test", by=None, name="Carol Lee", password="carol-pw-1")
create_ticket(by=carol, requester=carol, subject="Charged twice", body="Invoice 1042.")
save_macro(
    by=ann,
    name="Refund sent",
    folder="Billing",
    shared=True,
    body="Hello {{ requester.first_name }}, the refund for #{{ ticket.number }} is on its way.\\n"
    "{{ agent.first_name }}",
    actions=[
        {"action": "set_status", "value": "pending"},
        {"action": "add_tags", "value": ["refund"]},
    ],
)
save_macro(by=ann, name="Welcome", shared=True, body="Welcome aboard!")
"""


@pytest.fixture
def desk(tmp_path) -> Iterator[str]:
    """A `supportdesk serve --no-worker` with an admin, an agent, a ticket and macros."""
    with seeded_desk(tmp_path, SEED) as url:
        yield url


def test_agent_answers_with_a_macro_from_the_keyboard(desk, page):  # type: ignore[no-untyped-def]
    page.goto(f"{desk}/login/")
    page.get_by_label("E-mail").fill("ben@example.test")
    page.get_by_label("Password").fill("ben-pw-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/login/" not in u)

    page.goto(f"{desk}/agent/tickets/1/")
    page.get_by_role("heading", name="Charged twice").wait_for()
    page.wait_for_load_state()  # the key handlers are deferred scripts
    picker = page.get_by_role("dialog", name="Insert a macro")
    page.keyboard.press("m")
    picker.get_by_role("option", name=re.compile("Welcome")).wait_for()
    page.keyboard.press("Escape")
    picker.wait_for(state="hidden")
    assert page.locator("#composer-body").input_value() == ""

    page.get_by_role("button", name="Macros m").click()
    picker.get_by_role("option", name=re.compile("Welcome")).wait_for()
    page.keyboard.type("refund")
    picker.get_by_role("option", name=re.compile("Welcome")).wait_for(state="detached")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    picker.wait_for(state="hidden")

    body = page.locator("#composer-body")
    assert body.input_value() == "Hello Carol, the refund for #1 is on its way.\nBen"
    assert page.evaluate("document.activeElement.id") == "composer-body"
    page.get_by_text("Status: new → pending").wait_for()
    body.press("End")
    page.keyboard.type(" (Billing)")
    page.get_by_role("button", name="Send (Ctrl+Enter)").click()

    page.get_by_text("Reply sent.").wait_for()
    reply = page.get_by_role("article", name="Reply by Ben Agent")
    assert "the refund for #1 is on its way." in reply.inner_text()
    assert "Ben (Billing)" in reply.inner_text()
    assert page.locator(".ticket-meta .badge").inner_text() == "Pending"
    # The timeline says the macro made the changes.
    change = page.locator(".event-line").filter(has_text="Tags: none → refund")
    assert "Refund sent" in change.inner_text()

    page.goto(f"{desk}/agent/macros/")
    row = page.get_by_role("row").filter(has_text="Refund sent")
    assert re.search(r"\b1\b", row.get_by_role("cell").nth(4).inner_text())
    assert "ago" in row.get_by_role("cell").nth(3).inner_text()
