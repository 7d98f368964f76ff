"""A live stream survives a server restart: the client reconnects with the last event id
it saw (as a browser's EventSource does) and receives what changed while the server was
down, and a customer's stream never carries an internal note's event."""

from __future__ import annotations

import json
import os
import subprocess

import httpx
import pytest

from tests.processes.test_production_shape import SUPPORTDESK, _free_port, _wait_up

pytestmark = pytest.mark.processes

SEED = """
from supportdesk.accounts.models import Role
from supportdesk.accounts.services import create_user
from supportdesk.tickets.services import create_ticket
create_user(email="agent@example.test", by=None, role=Role.AGENT, password="agent-pw-1")
carol = create_user(email="carol@example.test", by=None, password="carol-pw-1")
print(create_ticket(by=carol, requester=carol, subject="Lamp", body="Flickers.").number)
"""
CHANGE = """
from supportdesk.accounts.models import User
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import reply, update_ticket
agent = User.objects.get(email="agent@example.test")
t = Ticket.objects.get(number={n})
reply(t, author=agent, body="Internal: supplier recall", public=False)
update_ticket(t, by=agent, changes={{"priority": "urgent"}})
"""


def _login(url: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=10)
    client.get("/login/")
    client.post(
        "/login/",
        data={
            "username": email,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
        headers={"Referer": f"{url}/login/"},
    )
    return client


def _first_batch(client: httpx.Client, path: str, last_id: str | None) -> tuple[str, dict]:
    """Read the stream until a batch with events arrives: (its id, its data)."""
    headers = {"Last-Event-ID": last_id} if last_id else {}
    with client.stream("GET", path, headers=headers, timeout=15) as response:
        event_id = ""
        for line in response.iter_lines():
            if line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if data["events"]:
                    return event_id, data
    raise AssertionError("the stream ended without events")


def _serve(env: dict, port: int) -> subprocess.Popen:
    cmd = [SUPPORTDESK, "serve", "--no-worker", "--no-migrate", "--port", str(port)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_stream_resumes_after_a_restart_and_customers_never_see_notes(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
    }
    subprocess.run([SUPPORTDESK, "manage", "migrate", "-v0"], env=env, check=True)
    seeded = subprocess.run(
        [SUPPORTDESK, "manage", "shell", "-c", SEED], env=env, check=True, capture_output=True
    )
    number = seeded.stdout.decode().split()[-1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve(env, port)
    try:
        _wait_up(url, proc)
        agent = _login(url, "agent@example.test", "agent-pw-1")
        customer = _login(url, "carol@example.test", "carol-pw-1")
        # Where each stream is now: the page's cursor, as a page would render it.
        page = agent.get(f"/agent/tickets/{number}/").text
        since = page.split("since=")[1].split('"')[0]
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    # Changed while no server runs: nothing is lost, the events wait in the database.
    change = CHANGE.format(n=number)
    subprocess.run([SUPPORTDESK, "manage", "shell", "-c", change], env=env, check=True)

    proc = _serve(env, port)
    try:
        _wait_up(url, proc)
        _, seen = _first_batch(agent, f"/live/stream/?ticket={number}", since)
        fields = {(e["kind"], e["field"]) for e in seen["events"]}
        assert ("changed", "priority") in fields and any(not e["public"] for e in seen["events"])
        _, public = _first_batch(customer, f"/live/stream/?ticket={number}", since)
        assert public["events"] and all(e["public"] for e in public["events"])
        assert ("changed", "priority") in {(e["kind"], e["field"]) for e in public["events"]}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
