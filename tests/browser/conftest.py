"""Browser tests: headless Debian Chromium, driven by Playwright, against a real
`supportdesk serve` process on a file database. A failing test leaves a screenshot in
test-artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SUPPORTDESK = str(Path(sys.executable).with_name("supportdesk"))

SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_user, save_organization
from supportdesk.tickets.services import create_ticket
org = save_organization(by=None, name="Acme", domains=["acme.test"])
create_user(email="agent@example.test", by=None, role=Role.AGENT, password="agent-pw-1")
carol = create_user(email="carol@acme.test", by=None, name="Carol", password="carol-pw-1")
create_ticket(by=carol, requester=carol, subject="Printer <b>on fire</b>", body="Smoke.")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"supportdesk serve exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"supportdesk serve did not listen on {port} in {timeout}s")


@contextmanager
def seeded_desk(data: Path, seed: str) -> Iterator[str]:
    """A `supportdesk serve --no-worker` on a fresh SQLite file in `data`, after running
    `seed` (Python, in `manage shell`); yields its URL. Mail stays in memory."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "SUPPORTDESK_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    subprocess.run([SUPPORTDESK, "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run([SUPPORTDESK, "manage", "shell", "-c", seed], env=env, check=True)
    port = _free_port()
    with open(data / "serve.log", "wb") as log:
        cmd = [SUPPORTDESK, "serve", "--no-worker", "--no-migrate", "--port", str(port)]
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
        try:
            _wait_for(port, proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def log_in(page, url: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/login/" not in u)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded `supportdesk serve --no-worker` on a fresh SQLite file; yields its URL."""
    data = tmp_path_factory.mktemp("serve-data")
    env = {
        **os.environ,
        "SUPPORTDESK_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([SUPPORTDESK, "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run([SUPPORTDESK, "manage", "shell", "-c", SEED], env=env, check=True)
    port = _free_port()
    proc = subprocess.Popen(
        [SUPPORTDESK, "serve", "--no-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(data / "serve.log", "wb"),  # noqa: SIM115 - lives as long as the server
    )
    try:
        _wait_for(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
