"""The OpenAPI schema and the interactive docs, which must work offline under our CSP."""

from __future__ import annotations

import os
import re

import pytest

from supportdesk.lib.middleware import CONTENT_SECURITY_POLICY


def test_openapi_schema_is_public_and_lists_every_resource(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["info"]["title"] == "supportdesk API"
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/messages",
        "/api/v1/tickets/{number}/events",
        "/api/v1/tickets/{number}/links",
        "/api/v1/tickets/{number}/merge",
        "/api/v1/tickets/{number}/restore",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}/merge",
        "/api/v1/users",
        "/api/v1/me",
        "/api/v1/organizations",
        "/api/v1/groups",
    ):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    upload = schema["paths"]["/api/v1/tickets/{number}/messages"]["post"]["requestBody"]
    assert set(upload["content"]) == {"application/json", "multipart/form-data"}
    assert not any("docs/assets" in p for p in schema["paths"])


def test_docs_page_loads_only_same_origin_files_that_exist(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in page["Content-Security-Policy"]
    html = page.content.decode()
    assert "<script>" not in html.replace(" ", ""), "inline scripts are blocked by the CSP"
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(links) == 4
    for link in links:
        assert link.startswith("/api/v1/docs/assets/"), link
        asset = client.get(link)
        assert asset.status_code == 200, link
        assert asset["Content-Type"] in ("text/css", "text/javascript", "image/png")
    assert '"url": "/api/v1/openapi.json"' in html
    assert client.get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404
    assert client.get("/api/v1/docs/assets/conf.py").status_code == 404


@pytest.mark.browser
def test_swagger_ui_renders_under_the_csp_in_chromium(live_server):
    """Drives Debian's Chromium: the page must render the operations with no CSP error."""
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_server.url}/api/v1/docs")
            page.wait_for_selector(".opblock-summary-path", timeout=15_000)
            assert "supportdesk API" in page.inner_text(".info .title")
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert any("/api/v1/tickets" in p for p in paths)
            assert not [p for p in problems if "Content Security Policy" in p], problems
        finally:
            browser.close()


def test_unknown_api_path_is_a_404(client):
    answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404
