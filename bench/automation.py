"""Automation at scale: trigger evaluation, and the time-rule pass over open tickets.

    python -m bench.automation --n 100000

Builds (once per N and schema, cached under $SUPPORTDESK_DATA_DIR/bench/) a SQLite
database of N open tickets (new, open, pending, on hold; spread over 30 days, with
tags, groups, assignees, priorities) and a few thousand solved ones, then measures:

1. Events per second with 100 active triggers (plus the three default ones): ticket
   events (replies, notes, property changes) made by the services with rules muted, then
   handed to the trigger engine as the services hand them, each batch in its own
   transaction. The triggers are realistic and varied (subject and body words, tags,
   priorities, regular expressions, changed_to); a few per cent of events fire one,
   whose actions then run (tags, priority, notes, notifications). Target (issue 7): at
   least 2,000 events per second on SQLite.
2. One time-rule pass over the N open tickets with the default rules switched on plus
   four more: first the catch-up pass of a new install (many tickets are due at once),
   then the pass five minutes later (what every pass costs from then on), then a pass
   with nothing due. Target: under 10 s for 100,000 open tickets.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import bench_n, cpu_check, data_dir, report
from bench.generate import schema_version

SEED = 7
WORDS = (
    "refund invoice login password outage crash billing upgrade cancel export api "
    "shipping delivery broken slow error charge card plan account access report sync"
).split()
TAGS = ["vip", "billing", "outage", "mobile", "api", "enterprise", "trial", "bug"]


def _database(n: int) -> Path:
    home = data_dir() / "bench" / f"automation-N{n}-g2-v{schema_version()}"
    home.mkdir(parents=True, exist_ok=True)
    return home


def _setup_django(home: Path) -> None:
    os.environ["SUPPORTDESK_DATA_DIR"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "supportdesk.settings"
    os.environ["HUEY_IMMEDIATE"] = "false"
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    import django

    django.setup()


def _build(n: int, rng: random.Random) -> float:
    """Fill the database with people, groups and N open tickets; seconds taken."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from supportdesk.accounts.models import Group, Role, User
    from supportdesk.tickets.models import Ticket, TicketTag

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        agents = [
            User(email=f"agent{i}@bench.test", name=f"Agent {i}", role=Role.AGENT)
            for i in range(40)
        ]
        User.objects.bulk_create(agents)
        agents = list(User.objects.filter(role=Role.AGENT))
        customers = [
            User(email=f"c{i}@{rng.choice(['acme', 'globex', 'initech'])}{i % 50}.test")
            for i in range(2000)
        ]
        User.objects.bulk_create(customers)
        customers = list(User.objects.filter(role=Role.CUSTOMER))
        groups = []
        for i, name in enumerate(["Billing", "Technical", "Sales", "Accounts"]):
            group = Group.objects.create(name=name, lead=agents[i])
            group.members.set(agents[i * 10 : (i + 1) * 10])
            groups.append((group, agents[i * 10 : (i + 1) * 10]))
    now = timezone.now()
    statuses = ["new"] * 15 + ["open"] * 50 + ["pending"] * 30 + ["on-hold"] * 5
    total = n + n // 10  # N open tickets, and a tenth as many solved ones
    for first in range(0, total, 20_000):
        tickets, tags = [], []
        for number in range(first + 1, min(total, first + 20_000) + 1):
            created = now - timedelta(seconds=rng.randint(600, 30 * 86400))
            changed = created + (now - created) * rng.random()
            status = "solved" if number > n else rng.choice(statuses)
            group, members = rng.choice(groups)
            chosen = rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2]))
            tickets.append(
                Ticket(
                    number=number,
                    subject=" ".join(rng.sample(WORDS, 4)),
                    requester=rng.choice(customers),
                    status=status,
                    priority=rng.choice(["low", "normal", "normal", "normal", "high", "urgent"]),
                    group=group if rng.random() < 0.9 else None,
                    assignee=rng.choice(members)
                    if status != "new" and rng.random() < 0.9
                    else None,
                    tags=chosen,
                    created_at=created,
                    updated_at=changed,
                    last_activity_at=changed,
                    status_changed_at=changed,
                    solved_at=changed if status == "solved" else None,
                    customer_replied_at=created + (changed - created) * rng.random(),
                    message_count=1,
                )
            )
            tags += [TicketTag(ticket_id=number, name=t) for t in chosen]
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=2000)
            TicketTag.objects.bulk_create(tags, batch_size=5000)
        print(f"  {min(total, first + 20_000):,} of {total:,} tickets", file=sys.stderr, flush=True)
    return time.perf_counter() - began


def _triggers(rng: random.Random) -> None:
    """100 triggers of the kinds admins write, besides the default three."""
    from supportdesk.accounts.models import Group, Role, User
    from supportdesk.automation.models import Trigger
    from supportdesk.automation.services import save_trigger

    Trigger.objects.exclude(name__in=_default_names()).delete()
    admin = User.objects.filter(role=Role.ADMIN).first() or User.objects.create_user(
        "admin@bench.test", "pw", role=Role.ADMIN
    )
    groups = list(Group.objects.values_list("pk", flat=True))
    events = [
        "ticket.customer_replied",
        "ticket.agent_replied",
        "ticket.note_added",
        "ticket.updated",
        "ticket.status_changed",
        "ticket.created",
    ]
    for i in range(100):
        word, tag = rng.choice(WORDS), rng.choice(TAGS)
        conditions: list[dict[str, Any]] = [
            {"field": "subject", "operator": "contains", "value": f"{word} {rng.choice(WORDS)}"}
            if i % 4 == 0
            else {"field": "tags", "operator": "includes_any", "value": [tag]},
            {"field": "priority", "operator": "is", "value": rng.choice(["high", "urgent"])},
            {"field": "requester_email", "operator": "contains", "value": f"{i % 50}.test"},
        ]
        if i % 10 == 3:
            conditions.append(
                {"field": "subject", "operator": "matches", "value": rf"\b{word}s?\b"}
            )
        if i % 7 == 2:
            conditions.append({"field": "status", "operator": "changed_to", "value": "open"})
        actions = [
            [{"action": "add_tags", "value": [f"auto-{i}"]}],
            [{"action": "set_priority", "value": "urgent"}],
            [{"action": "set_group", "value": rng.choice(groups)}],
            [{"action": "add_note", "value": "Rule {{ rule.name }} on #{{ ticket.number }}"}],
            [{"action": "notify", "value": {"to": ["assignee"]}}],
        ][i % 5]
        event = events[i % len(events)]
        if event == "ticket.note_added" and actions[0]["action"] == "add_note":
            event = "ticket.customer_replied"  # a note on every note would loop
        if event == "ticket.created":
            conditions = conditions[:2]
        save_trigger(
            by=admin,
            name=f"Bench rule {i}",
            event=event,
            conditions={"all": conditions, "any": []},
            actions=actions,
        )


def _default_names() -> list[str]:
    from supportdesk.automation.defaults import TRIGGERS

    return [t["name"] for t in TRIGGERS]


def _make_events(rng: random.Random, count: int) -> list[list[Any]]:
    """`count` batches of events, as services publish them, made with rules muted."""
    from supportdesk.accounts.models import Role, User
    from supportdesk.notify.services import muted
    from supportdesk.tickets.models import Status, Ticket
    from supportdesk.tickets.services import reply, update_ticket

    captured: list[list[Any]] = []
    agents = list(User.objects.filter(role=Role.AGENT)[:10])
    numbers = list(
        Ticket.objects.filter(status__in=[Status.OPEN, Status.PENDING]).values_list(
            "number", flat=True
        )[: count * 2]
    )
    from supportdesk.tickets import events as event_module

    def keep(events: Any) -> None:
        captured.append(list(events))

    event_module.subscribe(keep, in_transaction=True)
    with muted():
        for i in range(count):
            ticket = Ticket.objects.select_related("requester").get(pk=numbers[i % len(numbers)])
            kind = i % 4
            if kind == 0:
                reply(ticket, author=ticket.requester, body=f"Any news on {rng.choice(WORDS)}?")
            elif kind == 1:
                reply(ticket, author=rng.choice(agents), body="We are on it.", public=False)
            elif kind == 2:
                update_ticket(
                    ticket, by=None, changes={"priority": rng.choice(["high", "urgent", "low"])}
                )
            else:
                update_ticket(
                    ticket,
                    by=None,
                    changes={"status": "open" if ticket.status != "open" else "pending"},
                )
    event_module._in_transaction.remove(keep)
    return captured


def measure_triggers(rng: random.Random, count: int) -> dict[str, Any]:
    from django.db import transaction

    from supportdesk.automation.engine import forget, happenings, on_events
    from supportdesk.tickets.models import Ticket

    batches = _make_events(rng, count)
    # Fresh ticket objects, as a service hands its events over; not timed.
    for batch in batches:
        tickets = Ticket.objects.select_related("requester").in_bulk([e.ticket_id for e in batch])
        for event in batch:
            event.ticket = tickets[event.ticket_id]
    forget()
    evaluated = sum(len(list(happenings(b))) for b in batches)
    for batch in batches:
        for event in batch:
            event.ticket.refresh_from_db()
    profile = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    began = time.perf_counter()
    for batch in batches:
        with transaction.atomic():
            on_events(batch)
    seconds = time.perf_counter() - began
    if profile is not None:
        profile.disable()
        profile.dump_stats(os.environ["BENCH_PROFILE"])
    from supportdesk.tickets.models import TicketEvent

    fired = TicketEvent.objects.filter(rule__startswith="Bench rule").count()
    return {
        "measure": "trigger events (100 triggers + 3 default)",
        "count": evaluated,
        "seconds": seconds,
        "per_s": evaluated / seconds,
        "rule_changes": fired,
    }


def _time_rules() -> None:
    from supportdesk.accounts.models import Role, User
    from supportdesk.automation.models import TimeRule
    from supportdesk.automation.services import save_time_rule

    admin = User.objects.filter(role=Role.ADMIN).first()
    TimeRule.objects.update(enabled=True)
    extra = [
        (
            "VIP waiting a day",
            "customer_message",
            24,
            [{"field": "tags", "operator": "includes_any", "value": ["vip"]}],
            [{"action": "notify", "value": {"to": ["group_lead"]}}],
        ),
        (
            "Urgent open two days",
            "created",
            48,
            [
                {"field": "priority", "operator": "is", "value": "urgent"},
                {"field": "status", "operator": "is", "value": "open"},
            ],
            [{"action": "add_tags", "value": ["stale-urgent"]}],
        ),
        (
            "On hold a week",
            "status",
            168,
            [{"field": "status", "operator": "is", "value": "on-hold"}],
            [
                {
                    "action": "add_note",
                    "value": "On hold for a week: check with {{ assignee.first_name }}",
                }
            ],
        ),
        (
            "Outage mentions",
            "updated",
            12,
            [{"field": "subject", "operator": "matches", "value": r"\b(outage|down|crash)\b"}],
            [{"action": "set_priority", "value": "high"}],
        ),
    ]
    for name, since, hours, conditions, actions in extra:
        if not TimeRule.objects.filter(name=name).exists():
            save_time_rule(
                by=admin,
                name=name,
                since=since,
                hours=hours,
                conditions={"all": conditions, "any": []},
                actions=actions,
            )


def measure_time_rules() -> list[dict[str, Any]]:
    from django.utils import timezone

    from supportdesk.automation.timerules import run_time_rules
    from supportdesk.tickets.models import Ticket

    _time_rules()
    open_count = Ticket.objects.exclude(status__in=["solved", "closed"]).count()
    rows = []
    now = timezone.now()
    for label, at in (
        ("time-rule pass: catch-up of a new install", now),
        ("time-rule pass: five minutes later", now + timedelta(minutes=5)),
        ("time-rule pass: nothing new due", now + timedelta(minutes=5)),
    ):
        began = time.perf_counter()
        fired = run_time_rules(at)
        seconds = time.perf_counter() - began
        rows.append(
            {
                "measure": label,
                "count": open_count,
                "seconds": seconds,
                "per_s": open_count / seconds,
                "rule_changes": sum(fired.values()),
            }
        )
    return rows


def run(n: int, events: int) -> dict[str, Any]:
    """Build the database once (in a child process), then measure on a fresh copy of it,
    so that every run starts from the same tickets and commits as production does."""
    base = _database(n)
    built = 0.0
    if not (base / "built").exists():
        began = time.perf_counter()
        env = {**os.environ, "SUPPORTDESK_DATA_DIR": str(base)}
        cmd = [sys.executable, "-m", "bench.automation", "--n", str(n), "--build-only"]
        subprocess.run(cmd, env=env, check=True)  # noqa: S603
        built = time.perf_counter() - began
    work = base.with_name(base.name + "-run")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(base, work)
    _setup_django(work)
    rng = random.Random(SEED)
    _triggers(rng)
    speed_before = cpu_check()
    rows = [measure_triggers(rng, events), *measure_time_rules()]
    speed_after = cpu_check()
    return report(
        "automation",
        n,
        rows,
        database_built_seconds=round(built, 1),
        cached=built == 0,
        cpu_check_seconds=[speed_before, speed_after],
    )


def build_only(n: int) -> None:
    home = Path(os.environ["SUPPORTDESK_DATA_DIR"])
    _setup_django(home)
    _build(n, random.Random(SEED))
    (home / "built").write_text(str(n))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=bench_n(), help="open tickets")
    parser.add_argument("--events", type=int, default=4000, help="event batches to evaluate")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_only:
        build_only(args.n)
    else:
        run(args.n, args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
