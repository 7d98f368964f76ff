"""An agent works with SLAs as a person does: reads time left and breaches in the queue's
SLA column, sorts by it to see what breaches next, opens a ticket and reads the SLA card
and its next-reply history, and acknowledges an emergency from its banner."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.browser.conftest import SUPPORTDESK, _free_port, _wait_for

pytestmark = pytest.mark.browser

# Histories are dated in the past: each step goes through the services, then what it
# wrote is dated at the step's minute; the clocks are then stored afresh, as a job would.
SEED = """
from datetime import timedelta
from django.db.models import Max
from django.utils import timezone
from supportdesk.accounts.models import Role, User
from supportdesk.accounts.services import create_user
from supportdesk.sla import escalations
from supportdesk.sla.bulk import recompute_many
from supportdesk.sla.rules import save_emergency_rule
from supportdesk.sla.services import save_policy
from supportdesk.tickets.models import Message, Ticket, TicketEvent
from supportdesk.tickets.services import create_ticket, reply

ann = create_user(
    email="ann@example.test", by=None, name="Ann Admin", role=Role.ADMIN, password="ann-pw-1"
)
ben = create_user(
    email="ben@example.test", by=None, name="Ben Agent", role=Role.AGENT, password="ben-pw-1"
)
User.objects.filter(pk=ben.pk).update(time_zone="America/New_York")
carol = create_user(email="carol@acme.test", by=None, name="Carol Customer", password="pw-1")
save_policy(
    by=ann, name="Standard", conditions=None, business_hours=False,
    targets={"first_reply": 120, "next_reply": 30},
)
now = timezone.now()

def dated(ticket, minutes_ago, action):
    last_m = Message.objects.filter(ticket=ticket).aggregate(m=Max("id"))["m"] or 0
    last_e = TicketEvent.objects.filter(ticket=ticket).aggregate(m=Max("id"))["m"] or 0
    action()
    when = now - timedelta(minutes=minutes_ago)
    Message.objects.filter(ticket=ticket, id__gt=last_m).update(created_at=when)
    TicketEvent.objects.filter(ticket=ticket, id__gt=last_e).update(created_at=when)

def opened(subject, minutes_ago, tags=()):
    ticket = create_ticket(
        by=None, requester=carol, subject=subject, body="Help", properties={"tags": list(tags)}
    )
    when = now - timedelta(minutes=minutes_ago)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    Message.objects.filter(ticket=ticket).update(created_at=when)
    TicketEvent.objects.filter(ticket=ticket).update(created_at=when)
    return ticket

# First reply at +10; the customer waits from +60 (answered at +80: met), +120 (answered
# at +170: late by 20 min) and +200 (due at +230, now is +210: 20 min left).
waits = opened("Three waits", 210)
for i, minute in enumerate([10, 60, 80, 120, 170, 200]):
    author = ben if i % 2 == 0 else carol
    dated(waits, 210 - minute, lambda a=author: reply(waits, author=a, body=f"Message {i}"))
breached = opened("Nobody answered", 300)
soon = opened("Due soon", 90)
fresh = opened("Plenty of time", 0)
outage = opened("Site down", 0, tags=["outage"])
recompute_many([t.number for t in (waits, breached, soon, fresh, outage)], now=now)
save_emergency_rule(
    by=ann, name="Outage",
    conditions={"all": [{"field": "tags", "operator": "includes_any", "value": ["outage"]}]},
    notify=[ben.pk], repeat_minutes=10,
)
escalations.run(now=now)
print(waits.number, outage.number)
"""


@pytest.fixture
def desk(tmp_path) -> Iterator[dict[str, str]]:
    """A `supportdesk serve --no-worker` with an SLA policy, an emergency rule and tickets
    whose clocks are in every state; yields its URL and the ticket numbers."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    subprocess.run([SUPPORTDESK, "manage", "migrate", "-v0"], env=env, check=True)
    seeded = subprocess.run(
        [SUPPORTDESK, "manage", "shell", "-c", SEED], env=env, check=True, capture_output=True
    )
    waits, outage = seeded.stdout.split()[-2:]  # the shell may print a line of its own first
    port = _free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        cmd = [SUPPORTDESK, "serve", "--no-worker", "--no-migrate", "--port", str(port)]
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
        try:
            _wait_for(port, proc)
            url = f"http://127.0.0.1:{port}"
            yield {"url": url, "waits": waits.decode(), "outage": outage.decode()}
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def log_in(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login/")
    page.get_by_label("E-mail").fill("ben@example.test")
    page.get_by_label("Password").fill("ben-pw-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/login/" not in u)


def sla_cell(row):  # type: ignore[no-untyped-def]
    return row.locator("span.sla")


def test_the_queue_shows_time_left_and_sorts_by_next_breach(desk, page):  # type: ignore[no-untyped-def]
    log_in(page, desk["url"])
    page.goto(f"{desk['url']}/agent/views/open/")
    rows = page.locator("tbody[data-rows] tr")
    rows.first.wait_for()
    assert "Site down" in rows.first.inner_text()  # newest first until sorted

    late = rows.filter(has_text="Nobody answered")
    assert sla_cell(late).inner_text() == "breached 3h ago"
    assert "sla-late" in (sla_cell(late).get_attribute("class") or "")
    soon = sla_cell(rows.filter(has_text="Due soon"))
    assert soon.inner_text() in ("30m left", "29m left")
    assert "sla-soon" in (soon.get_attribute("class") or "")
    fresh = sla_cell(rows.filter(has_text="Plenty of time"))
    assert fresh.inner_text().endswith("left") and fresh.inner_text().startswith("1h ")
    assert "sla-ok" in (fresh.get_attribute("class") or "")

    page.get_by_role("columnheader", name="SLA").get_by_role("link").click()
    # The header swaps the list in by htmx and marks itself as the sort.
    page.locator("th.col-sla[aria-sort='ascending']").wait_for()
    subjects = [r.locator("td.subject a").inner_text() for r in rows.all()]
    assert subjects == ["Nobody answered", "Three waits", "Due soon", "Plenty of time", "Site down"]


def test_the_ticket_page_shows_the_sla_card_and_its_history(desk, page):  # type: ignore[no-untyped-def]
    log_in(page, desk["url"])
    page.goto(f"{desk['url']}/agent/tickets/{desk['waits']}/")
    card = page.locator("section#sla")
    card.wait_for()
    assert "Standard" in card.get_by_role("heading").inner_text()
    assert "Around the clock · times in America/New_York" in card.inner_text()
    targets = card.locator("ul.sla-targets > li")
    first = targets.nth(0).locator(".sla-target-head span.sla")
    assert first.inner_text() == "met" and "sla-ok" in (first.get_attribute("class") or "")
    head = targets.nth(1).locator(".sla-target-head")
    assert head.inner_text().startswith("Next reply") and "m left" in head.inner_text()

    history = targets.nth(1).locator("details.sla-history")
    lines = history.locator("ul > li")
    assert not lines.first.is_visible()  # closed: nothing is late right now
    history.get_by_text("3 customer messages waited, 1 answered late").click()
    lines.first.wait_for(state="visible")
    text = [line.inner_text() for line in lines.all()]
    assert len(text) == 3
    assert text[0].startswith("From ") and text[0].endswith("m left") and "answered" not in text[0]
    assert ", answered " in text[1] and text[1].endswith(": met late, by 20 min")
    assert ", answered " in text[2] and text[2].endswith(": met")
    late = lines.nth(1).locator("span.sla")
    assert "sla-late" in (late.get_attribute("class") or "")


def test_an_emergency_is_acknowledged_from_its_banner(desk, page):  # type: ignore[no-untyped-def]
    log_in(page, desk["url"])
    page.goto(f"{desk['url']}/agent/tickets/{desk['outage']}/")
    banner = page.locator("form.emergency")
    banner.wait_for()
    assert "Emergency: Outage" in banner.inner_text()
    assert "every 10 minutes" in banner.inner_text()

    banner.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Emergency acknowledged: the alerts stop.").wait_for()
    assert page.locator("form.emergency").count() == 0
    timeline = page.locator("#timeline").inner_text()
    assert "acknowledged by Ben Agent" in timeline
    assert "by Ben Agent by Ben Agent" not in timeline

    page.reload()  # and it stays acknowledged
    page.locator("#timeline").wait_for()
    assert page.locator("form.emergency").count() == 0
