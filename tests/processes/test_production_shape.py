"""The production shape on one machine: two `supportdesk serve --no-worker` processes and
one `supportdesk worker` on one database. A ticket created through one web process is
read through the other, and the worker delivers its mail to a real SMTP server."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

pytestmark = pytest.mark.processes

SUPPORTDESK = str(Path(sys.executable).with_name("supportdesk"))
SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_token, create_user
agent = create_user(email="agent@example.test", by=None, role=Role.AGENT, password="pw-123456")
print(create_token(agent, name="test"))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _wait_up(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{url} exited with {proc.returncode}"
        try:
            httpx.get(f"{url}/api/v1/openapi.json", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError(url)


def test_two_web_processes_and_a_worker_share_one_database(tmp_path, smtp):
    inbox, smtp_port = smtp
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "HUEY_IMMEDIATE": "false",
    }
    subprocess.run([SUPPORTDESK, "manage", "migrate", "-v0"], env=env, check=True)
    seeded = subprocess.run(
        [SUPPORTDESK, "manage", "shell", "-c", SEED], env=env, check=True, capture_output=True
    )
    token = seeded.stdout.decode().strip().splitlines()[-1]
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen(
            [SUPPORTDESK, "serve", "--no-worker", "--no-migrate", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    procs.append(
        subprocess.Popen(
            [SUPPORTDESK, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    )
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, proc in zip(urls, procs, strict=False):
            _wait_up(url, proc)
        auth = {"Authorization": f"Bearer {token}"}
        created = httpx.post(
            f"{urls[0]}/api/v1/tickets",
            headers=auth,
            json={
                "subject": "Order 881 never arrived",
                "body": "It has been two weeks.",
                "requester": "buyer@shop.test",
            },
        )
        assert created.status_code == 201, created.text
        number = created.json()["number"]
        seen = httpx.get(f"{urls[1]}/api/v1/tickets/{number}", headers=auth)
        assert seen.status_code == 200 and seen.json()["subject"] == "Order 881 never arrived"
        found = httpx.get(f"{urls[1]}/api/v1/tickets", headers=auth, params={"q": "arrived"})
        assert [t["number"] for t in found.json()["items"]] == [number]

        deadline = time.monotonic() + 30
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        [mail] = inbox.messages
        assert mail["To"] == "buyer@shop.test"
        assert f"[#{number}]" in mail["Subject"]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
