"""An agent answers with a knowledge-base article from the keyboard: opens a ticket,
presses `k`, finds the article by typing, picks it with the arrows and Enter, sees the
link in the reply box, sends, and the article's page counts the link."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import log_in, seeded_desk

pytestmark = pytest.mark.browser

SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_user, save_organization
from supportdesk.kb import services
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
category = services.save_category(by=ann, name="Billing")
section = services.save_section(by=ann, category=category, name="Invoices")
services.create_article(
    by=ann, section=section, title="Refund a double charge", state="published",
    body="Open **Billing**, pick the charge and press Refund.",
)
services.create_article(
    by=ann, section=section, title="Refund override codes", state="published",
    visibility="internal", body="Agents only: the override code.",
)
"""


@pytest.fixture
def desk(tmp_path) -> Iterator[str]:
    with seeded_desk(tmp_path, SEED) as url:
        yield url


def test_agent_links_an_article_from_the_keyboard(desk, page):  # type: ignore[no-untyped-def]
    log_in(page, desk, "ben@example.test", "ben-pw-1")

    page.goto(f"{desk}/agent/tickets/1/")
    page.get_by_role("heading", name="Charged twice").wait_for()
    page.wait_for_load_state()  # the key handlers are deferred scripts
    picker = page.get_by_role("dialog", name="Insert an article")
    page.keyboard.press("k")
    picker.wait_for()
    page.keyboard.press("Escape")
    picker.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "composer-body"

    page.locator("#composer-body").blur()
    page.keyboard.press("k")
    picker.wait_for()
    page.keyboard.type("refund")
    double = picker.get_by_role("option", name=re.compile("Refund a double charge"))
    override = picker.get_by_role("option", name=re.compile("Refund override codes"))
    double.wait_for()
    override.wait_for()
    assert override.get_by_role("button", name="Insert link").count() == 0
    # An internal article's text never goes into a public reply.
    override.get_by_role("button", name="Insert content").click()
    picker.get_by_role("alert").get_by_text("This article is internal").wait_for()
    assert page.locator("#composer-body").input_value() == ""
    # Move to whichever row holds the public article, then pick it with Enter.
    options = picker.get_by_role("option")
    names = [options.nth(i).inner_text() for i in range(options.count())]
    index = next(i for i, n in enumerate(names) if "Refund a double charge" in n)
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    assert double.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    picker.wait_for(state="hidden")

    body = page.locator("#composer-body")
    text = body.input_value()
    assert re.fullmatch(
        r"Refund a double charge: http\S+/help/articles/refund-a-double-charge/", text
    )
    assert page.evaluate("document.activeElement.id") == "composer-body"
    page.get_by_role("button", name="Send (Ctrl+Enter)").click()
    page.get_by_text("Reply sent.").wait_for()
    reply = page.get_by_role("article", name="Reply by Ben Agent")
    assert "/help/articles/refund-a-double-charge/" in reply.inner_text()

    page.goto(f"{desk}/agent/kb/")
    page.get_by_role("link", name="Refund a double charge").click()
    page.get_by_role("heading", name="Refund a double charge", level=1).wait_for()
    assert page.locator("#linked-in-replies").inner_text() == "1"
