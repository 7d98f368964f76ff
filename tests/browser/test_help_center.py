"""The help center as people use it: a visitor searches, reads and votes; a customer
writing a request sees articles that may answer it and opens one in a new tab."""

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
ann = create_user(
    email="ann@example.test", by=None, name="Ann Admin", role=Role.ADMIN, password="ann-pw-1"
)
save_organization(by=None, name="Acme", domains=["acme.test"])
create_user(email="carol@acme.test", by=None, name="Carol Lee", password="carol-pw-1")
billing = services.save_category(by=ann, name="Billing")
invoices = services.save_section(by=ann, category=billing, name="Invoices")
services.create_article(
    by=ann, section=invoices, title="Download an invoice", state="published",
    body="Open Billing, then press Download next to the invoice you need.",
)
services.create_article(
    by=ann, section=invoices, title="Change the billing address", state="published",
    body="Open Billing and edit the address printed on every invoice.",
)
services.create_article(
    by=ann, section=invoices, title="Invoice escalation runbook", state="published",
    visibility="internal", body="Internal: call finance about the invoice.",
)
"""


@pytest.fixture
def desk(tmp_path) -> Iterator[str]:
    with seeded_desk(tmp_path, SEED) as url:
        yield url


def test_visitor_searches_reads_and_votes(desk, page):  # type: ignore[no-untyped-def]
    page.goto(f"{desk}/help/")
    page.get_by_role("heading", name="How can we help?").wait_for()
    assert page.get_by_role("link", name="Submit a request").first.is_visible()
    page.get_by_label("Search the help center").fill("download invoice")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("Results for")).wait_for()
    assert page.locator(".help-snippet mark").first.is_visible()
    assert "escalation runbook" not in page.content()

    page.get_by_role("link", name="Download an invoice").click()
    page.get_by_role("heading", name="Download an invoice").wait_for()
    assert "escalation runbook" not in page.content()
    page.get_by_role("button", name="Yes").click()
    page.get_by_text("Thanks for your feedback!").wait_for()
    page.get_by_label(re.compile("Anything we could make clearer")).fill("More pictures")
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("The author will read your comment").wait_for()


def test_customer_sees_suggestions_while_writing_a_request(desk, page):  # type: ignore[no-untyped-def]
    log_in(page, desk, "carol@acme.test", "carol-pw-1")
    page.goto(f"{desk}/help/")
    page.get_by_role("link", name="Submit a request").first.click()
    page.get_by_role("heading", name="Submit a request").wait_for()
    page.get_by_label("Subject").press_sequentially("Where is my invoice download", delay=20)
    suggestions = page.locator("#suggestions")
    suggestions.get_by_role("link", name=re.compile("Download an invoice")).wait_for()
    assert "escalation runbook" not in suggestions.inner_text()

    with page.context.expect_page() as opened:
        suggestions.get_by_role("link", name=re.compile("Download an invoice")).click()
    article = opened.value
    article.get_by_role("heading", name="Download an invoice").wait_for()
    assert "from=suggestion" in article.url
    # The draft is still there in the first tab.
    assert page.get_by_label("Subject").input_value() == "Where is my invoice download"
