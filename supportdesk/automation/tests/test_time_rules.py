"""Time rules: selected by the time since their anchor, fired once per ticket and period,
safe with two workers, in calendar or business hours; and the SLA signals for triggers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from supportdesk.automation.engine import forget
from supportdesk.automation.models import SlaSignal, TimeRule, TimeRuleFired, Trigger
from supportdesk.automation.preview import time_rule_matches, would_match
from supportdesk.automation.services import save_time_rule, save_trigger
from supportdesk.automation.slasignals import raise_sla_signals
from supportdesk.automation.timerules import run_time_rules
from supportdesk.lib.errors import DomainError
from supportdesk.notify.models import OutgoingEmail
from supportdesk.sla.models import Calendar, GroupCalendar
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent
from supportdesk.tickets.services import create_ticket, reply, update_ticket

NONE = {"all": [], "any": []}
HOUR = timedelta(hours=1)
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _no_default_rules(db):  # type: ignore[no-untyped-def]
    TimeRule.objects.all().delete()
    Trigger.objects.all().delete()
    forget()


def _ticket(carol, subject: str = "Where is my order") -> Ticket:  # type: ignore[no-untyped-def]
    return create_ticket(by=carol, requester=carol, subject=subject, body="Order 7")


def _age(ticket: Ticket, **fields: object) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()


def _pending_rule(admin, hours: float = 72, **extra):  # type: ignore[no-untyped-def]
    return save_time_rule(
        by=admin,
        name=extra.pop("name", "Remind"),
        since="pending",
        hours=hours,
        actions=[
            {
                "action": "send_email",
                "value": {
                    "to": "requester",
                    "subject": "Still there, {{ requester.first_name }}?",
                    "body": "Ticket {{ ticket.number }} waits for your answer.",
                },
            }
        ],
        **extra,
    )


@pytest.mark.django_db
def test_saving_checks_since_hours_conditions_and_actions(admin):
    with pytest.raises(DomainError, match="since: one of"):
        save_time_rule(by=admin, name="x", since="lunch", hours=1, actions=[])
    with pytest.raises(DomainError, match="hours: between"):
        save_time_rule(
            by=admin,
            name="x",
            since="created",
            hours=0,
            actions=[{"action": "set_priority", "value": "high"}],
        )
    with pytest.raises(DomainError, match="takes the operators"):
        save_time_rule(
            by=admin,
            name="x",
            since="created",
            hours=1,
            conditions={"all": [{"field": "status", "operator": "changed", "value": None}]},
            actions=[{"action": "set_priority", "value": "high"}],
        )
    assert not TimeRule.objects.exists()


@pytest.mark.django_db
def test_pending_reminder_fires_once_per_pending_period(admin, alice, carol, on_commit):
    _pending_rule(admin)
    ticket = _ticket(carol)
    reply(ticket, author=alice, body="Which order?", status="pending")
    now = timezone.now()
    assert run_time_rules(now) == {"Remind": 0}  # not 72 hours yet
    _age(ticket, status_changed_at=now - 73 * HOUR)
    with on_commit():  # the mail is a job after the commit
        assert run_time_rules(now) == {"Remind": 1}
    assert run_time_rules(now) == {"Remind": 0}  # once per period
    mail = OutgoingEmail.objects.get(kind="rule")
    assert "Still there, Carol?" in mail.subject
    # The customer answers, the agent asks again: a new pending period, a new reminder.
    reply(ticket, author=carol, body="Order 7")
    reply(ticket, author=alice, body="And the date?", status="pending")
    _age(ticket, status_changed_at=now - 80 * HOUR)
    assert run_time_rules(now) == {"Remind": 1}
    assert TimeRuleFired.objects.count() == 2


@pytest.mark.django_db
def test_solve_then_close_chain_and_conditions_narrow_the_tickets(admin, alice, carol, dave):
    save_time_rule(
        by=admin,
        name="Solve",
        since="pending",
        hours=120,
        conditions={"all": [{"field": "priority", "operator": "is_not", "value": "urgent"}]},
        actions=[{"action": "set_status", "value": "solved"}],
    )
    save_time_rule(
        by=admin,
        name="Close",
        since="solved",
        hours=96,
        actions=[{"action": "set_status", "value": "closed"}],
    )
    normal, urgent = _ticket(carol), _ticket(dave)
    update_ticket(urgent, by=alice, changes={"priority": "urgent"})
    now = timezone.now()
    for t in (normal, urgent):
        update_ticket(t, by=alice, changes={"status": "pending"})
        _age(t, status_changed_at=now - 121 * HOUR)
    assert run_time_rules(now) == {"Solve": 1, "Close": 0}
    normal.refresh_from_db()
    assert normal.status == "solved"
    solve = TicketEvent.objects.filter(ticket=normal, field="status").last()
    assert solve is not None and solve.rule == "Solve"
    _age(normal, solved_at=now - 97 * HOUR)
    assert run_time_rules(now) == {"Solve": 0, "Close": 1}
    normal.refresh_from_db()
    urgent.refresh_from_db()
    assert (normal.status, urgent.status) == ("closed", "pending")


@pytest.mark.django_db
def test_unassigned_tickets_notify_the_group_lead(admin, alice, carol, billing):
    save_time_rule(
        by=admin,
        name="Unassigned",
        since="created",
        hours=0.5,
        conditions={"all": [{"field": "assignee", "operator": "is_empty", "value": None}]},
        actions=[{"action": "notify", "value": {"to": ["group_lead"]}}],
    )
    waiting = _ticket(carol)
    taken = _ticket(carol, "Taken")
    update_ticket(waiting, by=admin, changes={"group": billing})
    update_ticket(taken, by=admin, changes={"group": billing, "assignee": alice})
    now = timezone.now()
    for t in (waiting, taken):
        _age(t, created_at=now - HOUR)
    assert time_rule_matches(TimeRule.objects.get()).count == 1
    assert run_time_rules(now) == {"Unassigned": 1}
    assert alice.notifications.filter(ticket_id=waiting.pk, kind="rule").exists()


@pytest.mark.django_db
def test_business_hours_count_only_open_hours_of_the_groups_calendar(admin, carol, billing):
    # Open only on Mondays 09:00-10:00 UTC: at most one business hour a week.
    calendar = Calendar.objects.create(
        name="Mondays", timezone="UTC", hours={"mon": [["09:00", "10:00"]]}
    )
    GroupCalendar.objects.create(group=billing, calendar=calendar)
    save_time_rule(
        by=admin,
        name="Old",
        since="created",
        hours=2,
        business_hours=True,
        actions=[{"action": "add_tags", "value": ["old"]}],
    )
    ticket = _ticket(carol)
    update_ticket(ticket, by=admin, changes={"group": billing})
    now = timezone.now()
    _age(ticket, created_at=now - 24 * 8 * HOUR)  # 8 days: at most 2 business hours
    _age(ticket, created_at=now - 24 * 6 * HOUR)  # 6 days: at most 1
    assert run_time_rules(now) == {"Old": 0}
    _age(ticket, created_at=now - 24 * 22 * HOUR)  # 3 weeks: 3 business hours
    assert run_time_rules(now) == {"Old": 1}


SETUP = """
import django; django.setup()
from datetime import timedelta
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from supportdesk.accounts.models import Role, User
from supportdesk.automation.models import TimeRule
from supportdesk.automation.services import save_time_rule
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import create_ticket
TimeRule.objects.all().delete()
admin = User.objects.create_user("admin@x.test", "pw", role=Role.ADMIN)
carol = User.objects.create_user("carol@x.test", "pw", role=Role.CUSTOMER)
save_time_rule(by=admin, name="Tag old", since="created", hours=1,
               actions=[{"action": "add_tags", "value": ["old"]}])
for i in range(40):
    create_ticket(by=carol, requester=carol, subject=f"Order {i}", body="x")
Ticket.objects.update(created_at=timezone.now() - timedelta(hours=2))
"""
WORKER = """
import os, sys, time
import django; django.setup()
from supportdesk.automation.timerules import run_time_rules
open(sys.argv[1] + "." + str(os.getpid()), "w").close()
while not os.path.exists(sys.argv[1]):
    time.sleep(0.0005)
print(run_time_rules()["Tag old"])
"""
COUNT = """
import django; django.setup()
from supportdesk.automation.models import TimeRuleFired
from supportdesk.tickets.models import TicketEvent
tagged = TicketEvent.objects.filter(field="tags", rule="Tag old").count()
print(TimeRuleFired.objects.count(), tagged)
"""


def _python(code: str, data: Path, *args: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SUPPORTDESK_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, *args], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


@pytest.mark.processes
def test_two_workers_running_the_pass_at_once_fire_each_ticket_once(tmp_path):  # type: ignore[no-untyped-def]
    """Two worker processes on one SQLite file (as deployed by default), released at
    one instant: every ticket is tagged once, and each firing is recorded once."""
    _python(SETUP, tmp_path)
    go = tmp_path / "go"
    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(_python, WORKER, tmp_path, str(go)) for _ in range(2)]
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("go.*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        fired = [int(r.result(timeout=120)) for r in runs]
    assert sum(fired) == 40, fired
    assert _python(COUNT, tmp_path) == "40 40"


@pytest.mark.django_db(transaction=True)
def test_two_connections_at_once_on_postgresql_fire_each_ticket_once(admin, carol):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database locks instead of waiting: see above")
    save_time_rule(
        by=admin,
        name="Tag old",
        since="created",
        hours=1,
        actions=[{"action": "add_tags", "value": ["old"]}],
    )
    now = timezone.now()
    for i in range(20):
        _ticket(carol, f"Order {i}")
    Ticket.objects.update(created_at=now - 2 * HOUR)
    start, results = threading.Barrier(2), []

    def worker() -> None:
        try:
            start.wait()
            results.append(run_time_rules(now)["Tag old"])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(results) == 20, results
    assert TimeRuleFired.objects.count() == 20
    assert TicketEvent.objects.filter(field="tags", rule="Tag old").count() == 20


@pytest.mark.django_db
def test_sla_signals_run_warning_and_breach_triggers_once(admin, alice, carol, settings):
    settings.SLA_WARNING_MINUTES = 30
    for event, tag in (("sla.warning", "at-risk"), ("sla.breached", "breached")):
        save_trigger(
            by=admin, name=tag, event=event, actions=[{"action": "add_tags", "value": [tag]}]
        )
    ticket = _ticket(carol)
    now = timezone.now()
    _age(ticket, sla_due_at=now + timedelta(minutes=20))
    assert raise_sla_signals(now) == 1
    assert raise_sla_signals(now) == 0
    ticket.refresh_from_db()
    assert ticket.tags == ["at-risk"]
    later = now + timedelta(minutes=25)
    assert raise_sla_signals(later) == 1
    ticket.refresh_from_db()
    assert ticket.tags == ["at-risk", "breached"]
    assert SlaSignal.objects.count() == 2


@pytest.mark.django_db
def test_would_match_counts_open_tickets_and_samples_python_only_conditions(alice, carol):
    for subject in ("Refund 1", "refund 2", "Password"):
        _ticket(carol, subject)
    solved = _ticket(carol, "Refund solved")
    update_ticket(solved, by=alice, changes={"status": "solved"})
    db_only = {"all": [{"field": "subject", "operator": "contains", "value": "refund"}], "any": []}
    regex = {
        "all": [{"field": "subject", "operator": "matches", "value": r"^Refund \d"}],
        "any": [],
    }
    assert (would_match(db_only).count, would_match(db_only).exact) == (2, True)
    assert would_match(regex).count == 1


@pytest.mark.django_db
def test_the_automation_records_say_what_ran(admin, alice, carol, on_commit):
    _pending_rule(admin)
    ticket = _ticket(carol)
    update_ticket(ticket, by=alice, changes={"status": "pending"})
    _age(ticket, status_changed_at=timezone.now() - 100 * HOUR)
    with on_commit():
        run_time_rules()
    [record] = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.AUTOMATION)
    assert record.rule == "Remind" and "sent to carol@acme.test" in record.new["text"]
