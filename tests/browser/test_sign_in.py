"""A person signs in, sees their tickets, and signs out."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_customer_signs_in_sees_own_request_escaped_and_signs_out(server, page):
    page.goto(f"{server}/")
    assert page.url.startswith(f"{server}/login/")
    page.get_by_label("E-mail").fill("carol@acme.test")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("alert").wait_for()
    assert "do not match" in page.get_by_role("alert").inner_text()

    page.get_by_label("Password").fill("carol-pw-1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Your requests").wait_for()
    # The subject is shown as text: the <b> in it is not markup.
    assert page.get_by_role("cell", name="Printer <b>on fire</b>").is_visible()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()


def test_api_docs_page_renders_in_the_browser(server, page):
    page.goto(f"{server}/api/v1/docs")
    page.get_by_text("supportdesk API").first.wait_for(timeout=10_000)
