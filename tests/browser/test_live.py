"""Live updates across real processes: two `supportdesk serve --no-worker` and one
`supportdesk worker` on one SQLite file. Agent A's page on process 1 shows, without a
reload, a customer's reply posted through process 2, a change a job makes in the worker,
agent B (on process 2) viewing and typing, and warns A before sending after B replied."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator

import pytest

from tests.browser.conftest import SUPPORTDESK, _free_port, _wait_for

pytestmark = pytest.mark.browser

SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_user
from supportdesk.tickets.services import create_ticket
a = create_user(
    email="ann@example.test", by=None, name="Ann Admin", role=Role.ADMIN, password="ann-pw-1"
)
create_user(
    email="ben@example.test", by=None, name="Ben Agent", role=Role.AGENT, password="ben-pw-1"
)
carol = create_user(email="carol@example.org", by=None, name="Carol", password="carol-pw-1")
t = create_ticket(
    by=None, requester=carol, subject="Scanner offline", body="It stopped.",
    properties={"tags": ["printer"]},
)
print(a.pk, t.number)
"""


@pytest.fixture
def desk(tmp_path) -> Iterator[dict]:  # type: ignore[type-arg]
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "HUEY_IMMEDIATE": "false",
    }
    subprocess.run([SUPPORTDESK, "manage", "migrate", "-v0"], env=env, check=True)
    out = subprocess.run(
        [SUPPORTDESK, "manage", "shell", "-c", SEED], env=env, check=True, capture_output=True
    ).stdout.split()[-2:]  # the shell may print a line of its own first
    procs, urls = [], []
    log = open(tmp_path / "processes.log", "wb")  # noqa: SIM115 - closed below
    try:
        for _ in range(2):
            port = _free_port()
            cmd = [SUPPORTDESK, "serve", "--no-worker", "--no-migrate", "--port", str(port)]
            procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=log))
            urls.append(f"http://127.0.0.1:{port}")
        procs.append(subprocess.Popen([SUPPORTDESK, "worker"], env=env, stdout=log, stderr=log))
        for url, proc in zip(urls, procs, strict=False):
            _wait_for(int(url.rsplit(":", 1)[1]), proc)
        admin, ticket = (x.decode() for x in out)
        yield {"one": urls[0], "two": urls[1], "env": env, "admin": admin, "ticket": ticket}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=15)
        log.close()


def log_in(page, url: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/login/" not in u)


def test_agent_sees_changes_from_other_processes_without_reload(desk, page, browser):  # type: ignore[no-untyped-def]
    number = desk["ticket"]
    log_in(page, desk["one"], "ann@example.test", "ann-pw-1")
    with page.expect_response(lambda r: "/live/presence/" in r.url):
        page.goto(f"{desk['one']}/agent/tickets/{number}/")
    page.evaluate("window.__notReloaded = true")
    page.locator("#composer-body").fill("Have you tried turning it off and on?")

    customer = browser.new_context().new_page()
    ben = browser.new_context().new_page()
    try:
        log_in(customer, desk["two"], "carol@example.org", "carol-pw-1")
        customer.goto(f"{desk['two']}/requests/{number}/")
        customer.get_by_role("textbox").fill("It is blinking red now.")
        customer.get_by_role("button", name="Send reply").click()
        page.locator("#timeline").get_by_text("It is blinking red now.").wait_for(timeout=10_000)

        job = (
            "from supportdesk.adminui.tasks import rename_tag_everywhere; "
            f"rename_tag_everywhere('printer', 'hardware', {desk['admin']})"
        )
        subprocess.run([SUPPORTDESK, "manage", "shell", "-c", job], env=desk["env"], check=True)
        page.locator("#timeline").get_by_text("Tags: printer → hardware").wait_for(timeout=15_000)

        log_in(ben, desk["two"], "ben@example.test", "ben-pw-1")
        ben.goto(f"{desk['two']}/agent/tickets/{number}/")
        page.locator("#presence").get_by_text("Ben Agent is viewing").wait_for(timeout=10_000)
        ben.locator("#composer-body").fill("On my way")
        page.locator("#presence").get_by_text("Ben Agent is typing").wait_for(timeout=10_000)
        ben.get_by_role("button", name="Send (Ctrl+Enter)").click()
        ben.get_by_text("Reply sent.").wait_for()
        page.locator("#timeline").get_by_text("On my way").wait_for(timeout=10_000)
    finally:
        customer.context.close()
        ben.context.close()

    assert page.evaluate("window.__notReloaded") is True
    page.locator("#collision").wait_for(state="visible")  # shown as soon as Ben replied
    page.get_by_role("button", name="Send (Ctrl+Enter)").click()
    page.get_by_role("button", name="Send mine anyway").wait_for()
    assert page.evaluate("window.__notReloaded") is True  # the warning stopped the send
    page.get_by_role("button", name="Send mine anyway").click()
    page.get_by_text("Reply sent.").wait_for()
    assert "Have you tried turning it off and on?" in page.locator("#timeline").inner_text()


def test_a_new_request_appears_in_the_open_queue_without_reload(desk, page, browser):  # type: ignore[no-untyped-def]
    log_in(page, desk["one"], "ann@example.test", "ann-pw-1")
    page.goto(f"{desk['one']}/agent/views/open/")
    rail = page.get_by_role("navigation", name="Views")
    count = rail.get_by_role("link", name=re.compile("All open")).locator(".count")
    # Counts come from the cache or, a moment after the page, from the rail's own request.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#rail a')].some("
        "a => a.innerText.includes('All open') && a.querySelector('.count').innerText === '1')"
    )
    assert count.inner_text() == "1"
    page.evaluate("window.__notReloaded = true")

    customer = browser.new_context().new_page()
    try:
        log_in(customer, desk["two"], "carol@example.org", "carol-pw-1")
        customer.goto(f"{desk['two']}/requests/new/")
        customer.get_by_label("Subject").fill("Projector shows no picture")
        customer.get_by_label("Description").fill("Blue screen only.")
        customer.get_by_role("button", name="Submit request").click()
        customer.get_by_text("We e-mailed you a confirmation").wait_for()
    finally:
        customer.context.close()

    page.get_by_role("link", name="Projector shows no picture").wait_for(timeout=10_000)
    assert page.evaluate("window.__notReloaded") is True
    # The rail's counts follow (they refresh at most every ten seconds).
    page.wait_for_function(
        "() => [...document.querySelectorAll('#rail a')].some("
        "a => a.innerText.includes('All open') && a.querySelector('.count').innerText === '2')",
        timeout=15_000,
    )
