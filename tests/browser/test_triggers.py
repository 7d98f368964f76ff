"""An admin builds a trigger with the form, as a person does: names it, picks a condition
(the row re-renders by htmx), sets two actions, saves and finds it on the list; then a
customer's request that mentions a refund arrives tagged and in the Billing group."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import log_in, seeded_desk

pytestmark = pytest.mark.browser

SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_user, save_group, save_organization
ann = create_user(
    email="ann@example.test", by=None, name="Ann Admin", role=Role.ADMIN, password="ann-pw-1"
)
ben = create_user(
    email="ben@example.test", by=None, name="Ben Agent", role=Role.AGENT, password="ben-pw-1"
)
save_group(by=ann, name="Billing", members=[ben], lead=ben)
save_organization(by=None, name="Acme", domains=["acme.test"])
create_user(email="carol@acme.test", by=None, name="Carol", password="carol-pw-1")
"""


@pytest.fixture
def desk(tmp_path) -> Iterator[str]:
    """A `supportdesk serve --no-worker` with an admin, an agent, a group and a customer."""
    with seeded_desk(tmp_path, SEED) as url:
        yield url


def test_admin_builds_a_trigger_that_routes_refund_requests(desk, page, browser):  # type: ignore[no-untyped-def]
    log_in(page, desk, "ann@example.test", "ann-pw-1")
    page.goto(f"{desk}/agent/admin/")
    page.get_by_role("navigation", name="Admin sections").get_by_role(
        "link", name="Automation"
    ).click()
    page.get_by_role("heading", name="Automation: triggers").wait_for()
    page.get_by_role("link", name="New trigger").click()
    page.get_by_role("heading", name="New trigger").wait_for()

    page.get_by_label("Name", exact=True).fill("Refunds to billing")
    page.get_by_label("When").select_option(label="A ticket is created")

    # Choosing the field or the operator re-renders the row (htmx): wait for each answer.
    def row_refresh(response) -> bool:  # type: ignore[no-untyped-def]
        return "row=all-0" in (response.request.post_data or "")

    with page.expect_response(row_refresh):
        page.get_by_label("Condition 1: field").first.select_option("subject")
    with page.expect_response(row_refresh):
        page.get_by_label("Condition 1: operator").first.select_option("contains")
    page.locator("input#all-0-value").fill("refund")

    # A new trigger starts with an "Add tags" row.
    assert page.locator("#act-0-kind").input_value() == "add_tags"
    page.locator("#act-0-tags").fill("refund")
    page.get_by_label("Kind of the new action").select_option("set_group")
    page.get_by_role("button", name="Add an action").click()
    page.locator("#act-1-group").select_option(label="Billing")

    page.get_by_role("button", name="Create trigger").click()
    page.get_by_text("Saved trigger Refunds to billing.").wait_for()
    row = page.get_by_role("row").filter(has_text="Refunds to billing")
    text = row.inner_text()
    assert "A ticket is created" in text
    assert "Subject contains refund" in text
    assert "Add tag refund; move to Billing" in text
    assert "Enabled" in text
    row.get_by_role("button", name="Count the tickets").click()
    row.get_by_text("0 open tickets").wait_for()

    customer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    try:
        log_in(customer, desk, "carol@acme.test", "carol-pw-1")
        customer.goto(f"{desk}/requests/new/")
        customer.get_by_label("Subject").fill("Refund for my second charge")
        customer.get_by_label("Description").fill("I was charged twice in May.")
        customer.get_by_role("button", name="Submit request").click()
        customer.get_by_role("heading", name="Refund for my second charge").wait_for()
        number = customer.url.rstrip("/").rsplit("/", 1)[-1]
    finally:
        customer.context.close()

    page.goto(f"{desk}/agent/tickets/{number}/")
    page.get_by_role("heading", name="Refund for my second charge").wait_for()
    assert page.get_by_label("Tags").input_value() == "refund"
    assert page.get_by_label("Group").locator("option:checked").inner_text() == "Billing"
