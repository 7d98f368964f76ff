"""Periodic automation jobs: time rules, SLA signals for triggers, and routing of tickets
that wait for an agent."""

from __future__ import annotations

from supportdesk.jobs import periodic


@periodic(minute="*/5")
def run_time_rules() -> dict[str, int]:
    from supportdesk.automation.timerules import run_time_rules as run

    return run()


@periodic(minute="*")
def raise_sla_signals() -> int:
    from supportdesk.automation.slasignals import raise_sla_signals as run

    return run()


@periodic(minute="*")
def route_waiting() -> int:
    from supportdesk.automation.routing import route_waiting as run

    return run()
