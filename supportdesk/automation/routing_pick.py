"""The routing strategies: which of a group's available agents gets a ticket, and the
sentence that says why. Pure functions over a `Pool`; no queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from supportdesk.automation.models import Strategy
from supportdesk.automation.routing_pool import Candidate, Pool
from supportdesk.tickets.models import Ticket

LANGUAGE = "language:"


@dataclass(frozen=True)
class Choice:
    """An agent (or None) and the event text and details that explain it."""

    agent: Candidate | None
    text: str
    details: dict[str, Any] = field(default_factory=dict)


def pick(
    strategy: str, ticket: Ticket, pool: Pool, *, last_id: int | None, skill_fields: list[str]
) -> Choice:
    """The choice of `strategy` (not manual) among the pool's available agents."""
    if not pool.available:
        return Choice(None, pool.why_none(), {"routing": strategy, "agent": None})
    if strategy == Strategy.ROUND_ROBIN:
        return _round_robin(pool, last_id)
    if strategy == Strategy.SKILLS:
        return _skills(ticket, pool, skill_fields)
    chosen = least_loaded(pool.available)
    return _chosen(strategy, chosen, f"least loaded: {chosen.load()}")


def least_loaded(candidates: list[Candidate]) -> Candidate:
    """Fewest open tickets for their capacity, then fewest open, then lowest id. An agent
    without a limit counts as having the largest capacity of the others, so that "no
    limit" does not make them first (0 open of infinity) or last."""
    limits = [c.capacity for c in candidates if c.capacity]
    default = max(limits, default=1)
    return min(candidates, key=lambda c: (c.open / (c.capacity or default), c.open, c.user.pk))


def _round_robin(pool: Pool, last_id: int | None) -> Choice:
    # By id, so that the turn survives agents joining, leaving or going offline.
    after = [c for c in pool.available if last_id is not None and c.user.pk > last_id]
    chosen = after[0] if after else pool.available[0]
    previous = next((m for m in pool.members if m.user.pk == last_id), None)
    turn = f"next in turn after {previous.user.display_name}" if previous else "next in turn"
    return _chosen(Strategy.ROUND_ROBIN, chosen, f"round-robin: {turn}")


def _skills(ticket: Ticket, pool: Pool, skill_fields: list[str]) -> Choice:
    needs = needed_skills(ticket, pool, skill_fields)
    qualified = [c for c in pool.available if all(has_skill(c, n) for n in needs)]
    if not qualified:
        n = len(pool.available)
        text = (
            f"No agent available in {pool.group.name} has the skills {', '.join(needs)} "
            f"({n} available agent{'s' if n != 1 else ''} lack them)"
        )
        details = {"routing": Strategy.SKILLS, "agent": None, "skills": needs}
        return Choice(None, text, details)
    chosen = least_loaded(qualified)
    wanted = f"skills {', '.join(needs)}" if needs else "skills: none needed"
    choice = _chosen(Strategy.SKILLS, chosen, f"{wanted}; least loaded: {chosen.load()}")
    choice.details["skills"] = needs
    return choice


def _chosen(strategy: str, chosen: Candidate, why: str) -> Choice:
    details = {
        "routing": strategy,
        "agent": chosen.user.pk,
        "open": chosen.open,
        "capacity": chosen.capacity,
    }
    return Choice(chosen, f"Routed to {chosen.user.display_name} ({why})", details)


def needed_skills(ticket: Ticket, pool: Pool, skill_fields: list[str]) -> list[str]:
    """What the ticket needs: its tags that are skills of some member of the group; the
    requester's language when some member has a language skill; and "key:value" for each
    skill field the ticket has a value for (an unticked checkbox is no value)."""
    known: set[str] = set().union(*(m.skills for m in pool.members))
    needs = [tag for tag in ticket.tags if tag in known]
    language = _language(ticket.requester.language)
    if language and any(s.startswith(LANGUAGE) for s in known):
        needs.append(LANGUAGE + language)
    values = ticket.custom_fields or {}
    for key in skill_fields:
        value = values.get(key)
        if value is None or value == "" or value is False:
            continue
        needs.append(f"{key}:{skill_value(value)}")
    return list(dict.fromkeys(needs))


def skill_value(value: Any) -> str:
    """A field value as the second half of a skill: lower-case, spaces as underscores."""
    if value is True:
        return "true"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "_".join(str(value).lower().split())


def _language(code: str) -> str:
    return (code or "").strip().lower().replace("_", "-")


def has_skill(candidate: Candidate, need: str) -> bool:
    """Whether the agent has `need`; a language need ("language:pt-br") is also met by
    the bare language ("language:pt")."""
    if need in candidate.skills:
        return True
    return need.startswith(LANGUAGE) and need.split("-", 1)[0] in candidate.skills
