"""The everyday loop across both sides: an agent takes an unassigned ticket, replies and
sets it pending; the customer reads the reply in the portal and answers; the agent finds
the ticket open again in their queue. Keyboard shortcuts drive the agent's side."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

SUBJECT = "Printer <b>on fire</b>"


def log_in(page, server: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_agent_and_customer_answer_each_other(server, page, browser):  # type: ignore[no-untyped-def]
    log_in(page, server, "agent@example.test", "agent-pw-1")
    page.get_by_role("heading", name="My open tickets").wait_for()

    rail = page.get_by_role("navigation", name="Views")
    rail.get_by_role("link", name=re.compile("Unassigned")).click()
    page.get_by_role("heading", name="Unassigned in my groups").wait_for()
    page.wait_for_load_state()
    page.keyboard.press("?")
    page.get_by_role("dialog", name="Keyboard shortcuts").wait_for()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.get_by_role("link", name=SUBJECT).click()
    page.get_by_role("heading", name=SUBJECT).wait_for()
    # The heading shows before the deferred scripts that handle the keys have run.
    page.wait_for_load_state()

    page.keyboard.press("a")
    page.get_by_text("Ticket updated.").wait_for()
    assert page.get_by_label("Assignee").input_value() != ""

    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "composer-body"
    page.keyboard.type("Unplug it and keep the extinguisher close.")
    page.get_by_role("button", name="Send, set pending").click()
    page.get_by_text("Reply sent and status set to pending.").wait_for()
    assert page.locator(".ticket-meta .badge").inner_text() == "Pending"

    customer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    try:
        log_in(customer, server, "carol@acme.test", "carol-pw-1")
        customer.get_by_role("link", name=SUBJECT).click()
        customer.get_by_text("Unplug it and keep the extinguisher close.").wait_for()
        customer.get_by_role("textbox").fill("Done, the smoke has stopped.")
        customer.get_by_role("button", name="Send reply").click()
        customer.get_by_text("Done, the smoke has stopped.").wait_for()
    finally:
        customer.context.close()

    page.goto(f"{server}/agent/views/mine/")
    row = page.get_by_role("row").filter(has_text=SUBJECT)
    row.wait_for()
    assert "Open" in row.inner_text()
    row.get_by_role("link", name=SUBJECT).click()
    page.get_by_text("Done, the smoke has stopped.").wait_for()
