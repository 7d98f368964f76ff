"""An admin builds an SLA escalation rule with the form, as a person does: picks the
target and timing, adds a condition (the row re-renders by htmx), adds a notify action,
saves, and finds the rule on the list in words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import seeded_desk

pytestmark = pytest.mark.browser

SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_user, save_group
ann = create_user(
    email="ann@example.test", by=None, name="Ann Admin", role=Role.ADMIN, password="ann-pw-1"
)
ben = create_user(
    email="ben@example.test", by=None, name="Ben Agent", role=Role.AGENT, password="ben-pw-1"
)
save_group(by=ann, name="Billing", members=[ben], lead=ben)
"""


@pytest.fixture
def desk(tmp_path) -> Iterator[str]:
    """A `supportdesk serve --no-worker` with an admin, an agent and a group."""
    with seeded_desk(tmp_path, SEED) as url:
        yield url


def test_admin_creates_an_escalation_rule_with_a_condition_and_a_notify_action(desk, page):  # type: ignore[no-untyped-def]
    page.goto(f"{desk}/login/")
    page.get_by_label("E-mail").fill("ann@example.test")
    page.get_by_label("Password").fill("ann-pw-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/login/" not in u)

    page.goto(f"{desk}/agent/admin/sla/")
    page.get_by_role("link", name="SLA rules").first.click()
    page.get_by_text("No warning or escalation rules yet").wait_for()
    page.get_by_role("link", name="New escalation rule").click()
    page.get_by_role("heading", name="New escalation rule").wait_for()

    page.get_by_label("Name", exact=True).fill("Escalate urgent")
    page.get_by_label("Hours", exact=True).fill("1")
    page.get_by_label("Minutes", exact=True).fill("")
    page.get_by_label("Before or after").select_option("after")
    page.get_by_label("Target", exact=True).select_option("first_reply")

    # The first condition row: choosing the field re-renders the row with its values.
    page.get_by_label("Condition 1: field").first.select_option("priority")
    page.locator("select#all-0-value").wait_for()
    page.locator("select#all-0-value").select_option("urgent")

    # The new rule starts with "notify the assignee"; add a second notify action.
    page.get_by_label("Kind of the new action").select_option("notify")
    page.get_by_role("button", name="Add an action").click()
    second = page.locator("li#act-1")
    second.wait_for()
    second.get_by_label("The group's lead").check()
    second.get_by_label("and these agents").select_option(label="Ben Agent (ben@example.test)")

    page.get_by_role("button", name="Create rule").click()
    page.get_by_text("Saved escalation rule Escalate urgent.").wait_for()
    row = page.get_by_role("row").filter(has_text="Escalate urgent")
    text = row.inner_text()
    assert "Priority is Urgent" in text
    assert "1 h after first reply is breached" in text
    assert "Notify the assignee; notify the group lead and Ben Agent" in text
    assert "Enabled" in text
