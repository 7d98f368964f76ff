"""One ticket's life as timed steps, written through the ticket services.

A story plans its beats (create, take, ask, answer, note, hold, solve...) as offsets from
its creation, squeezes them so the last one happens before "now", and hands them to a
`Timeline`. The loader runs the steps of all stories in time order under a frozen clock,
so ticket numbers, message ids and event ids grow with time as they do in a real desk.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.demo import content
from supportdesk.demo.people import FORM_OF_GROUP, Cast
from supportdesk.demo.topics import Topic
from supportdesk.tickets.models import Channel, Source, Status, Ticket
from supportdesk.tickets.services import close_solved_tickets, create_ticket, reply, update_ticket

ZERO = timedelta(0)
# (median, shortest, longest) minutes between beats, drawn log-normally.
AGENT_FIRST = (45, 2, 2 * 1440)
AGENT_LATER = (150, 5, 3 * 1440)
CUSTOMER = (240, 3, 5 * 1440)
# A thank-you comes quickly: well within the days before a solved ticket closes.
THANKS = (60, 2, 1440)
NOTE = (20, 1, 600)
CHAT = (3, 1, 15)
REGIONS = ("eu", "us", "apac")


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    run: Callable[[], object] = field(compare=False)


class Timeline:
    """The steps of every story; `ordered()` gives them in time order, ties in the order
    they were added."""

    def __init__(self, limit: datetime, close_after: timedelta) -> None:
        self.limit = limit
        self.close_after = close_after
        self.steps: list[Step] = []

    def add(self, at: datetime, run: Callable[[], object]) -> None:
        self.steps.append(Step(at, len(self.steps), run))

    def add_close(self, rng: random.Random, solved: datetime) -> datetime | None:
        """Close like the periodic job does, a few minutes after the ticket is due."""
        at = solved + self.close_after + timedelta(minutes=rng.randrange(1, 11))
        if at >= self.limit:
            return None
        cutoff = self.close_after
        self.add(at, lambda: close_solved_tickets(older_than=timezone.now() - cutoff))
        return at

    def ordered(self) -> list[Step]:
        return sorted(self.steps)


def gap(rng: random.Random, spec: tuple[int, int, int]) -> timedelta:
    median, low, high = spec
    minutes = rng.lognormvariate(math.log(median), 0.9)
    return timedelta(minutes=min(max(minutes, low), high))


class Story:
    """A ticket from the first message to its fate: new, open, pending, on-hold or
    resolved (solved, and closed once it has been solved long enough)."""

    def __init__(
        self,
        cast: Cast,
        rng: random.Random,
        *,
        topic: Topic,
        requester: User,
        channel: str,
        created: datetime,
        fate: str,
    ) -> None:
        self.cast, self.rng, self.topic = cast, rng, topic
        self.requester, self.channel, self.created, self.fate = requester, channel, created, fate
        self.group = cast.groups[topic.group]
        members = [m for m in cast.members[topic.group] if m.role != "light_agent"]
        weights = [3 if m.pk == cast.agent.pk else 1 for m in members]
        self.agent = rng.choices(members, weights)[0]
        org = requester.organization
        self.ctx = content.ticket_context(
            rng,
            customer=requester.display_name,
            agent=self.agent.name,
            company=org.name if org else "",
        )
        if org is not None and org.pk in cast.plans:
            content.set_plan(self.ctx, cast.plans[org.pk])
        self.ticket: Ticket | None = None
        self.beats: list[tuple[timedelta, Callable[[], object]]] = []
        self.solved: timedelta | None = None  # offset of the last solve
        self.closed_at: datetime | None = None
        self.subject = self.text(rng.choice(topic.subjects))
        self.tags = self._tags()

    @property
    def made(self) -> Ticket:
        """The ticket; steps run in time order, so the creation has run before any other."""
        assert self.ticket is not None, "a step ran before its ticket was created"
        return self.ticket

    # Texts ---------------------------------------------------------------------------

    def text(self, template: str) -> str:
        return template.format_map(self.ctx)

    def from_customer(self, template: str) -> str:
        body = self.text(template)
        return content.customer_message(self.rng, body, self.ctx, chat=self.chat)

    def from_agent(self, template: str) -> str:
        return content.agent_message(self.rng, self.text(template), self.ctx, team=self.group.name)

    @property
    def chat(self) -> bool:
        return self.channel == Channel.CHAT

    def _tags(self) -> list[str]:
        tags = list(self.topic.tags)
        if self.rng.random() < 0.2:
            tags.append(self.rng.choice(REGIONS))
        if self.requester.segment == "vip":
            tags.append("vip")
        if self.channel == Channel.BOT:
            tags.append("bot_handoff")
        return tags

    def _custom_fields(self, keys: tuple[str, ...]) -> dict[str, str]:
        values = {
            "order_number": self.ctx["order"],
            "product": self.ctx["product"],
            "plan": self.ctx["plan"],
        }
        return {key: values[key] for key in keys}

    # Planning ------------------------------------------------------------------------

    def then(self, spec: tuple[int, int, int], action: Callable[[], object]) -> None:
        last = self.beats[-1][0] if self.beats else ZERO
        self.beats.append((last + gap(self.rng, CHAT if self.chat else spec), action))

    def plan(self) -> Story:
        rng = self.rng
        self.beats.append((ZERO, self.create))
        if self.fate == "new":
            return self
        if self.channel != Channel.PHONE:
            self.then(AGENT_FIRST, self.take)
        if rng.random() < 0.05:
            self.then(NOTE, self.escalate)
        if rng.random() < 0.06 and self.requester.organization_id:
            self.then(NOTE, lambda: self.note(self.cast.light_agent, content.ACCOUNT_NOTES))
        rounds = {"open": (0, 1), "pending": (0, 0, 1), "on-hold": (0, 1)}.get(
            self.fate, (0, 0, 1, 1, 1, 2)
        )
        for _ in range(rng.choice(rounds)):
            self.plan_round()
        if rng.random() < 0.25:
            self.then(NOTE, lambda: self.note(self.agent, self.topic.notes))
        self.plan_ending()
        return self

    def plan_round(self) -> None:
        if self.rng.random() < 0.08:
            self.then(CUSTOMER, lambda: self.customer_says(content.NUDGES))
        self.then(AGENT_LATER, lambda: self.agent_says(self.topic.asks, Status.PENDING))
        self.then(CUSTOMER, lambda: self.customer_says(self.topic.answers))

    def plan_ending(self) -> None:
        if self.fate == "pending":
            self.then(AGENT_LATER, lambda: self.agent_says(self.topic.asks, Status.PENDING))
        elif self.fate == "on-hold":
            self.then(AGENT_LATER, lambda: self.agent_says(content.HOLD_MESSAGES, Status.ON_HOLD))
            self.then(NOTE, lambda: self.note(self.agent, content.HOLD_NOTES))
        elif self.fate == "resolved":
            self.then(AGENT_LATER, lambda: self.agent_says(self.topic.solutions, Status.SOLVED))
            self.solved = self.beats[-1][0]
            if self.rng.random() < 0.15:
                self.then(THANKS, lambda: self.customer_says(content.THANKS))
                self.then(NOTE, self.solve_again)
                self.solved = self.beats[-1][0]

    def schedule(self, timeline: Timeline) -> None:
        """Put the beats on the timeline, squeezed to end before its limit; then the
        closing, when the ticket has been solved for long enough."""
        last = self.beats[-1][0]
        room = timeline.limit - self.created
        factor = min(1.0, room / last * 0.98) if last > ZERO else 1.0
        for offset, action in self.beats:
            timeline.add(self.created + offset * factor, action)
        if self.solved is not None:
            self.closed_at = timeline.add_close(self.rng, self.created + self.solved * factor)

    # Actions, run under the frozen clock ----------------------------------------------

    def create(self) -> None:
        by, source, props = self._intake()
        self.ticket = create_ticket(
            by=by,
            requester=self.requester,
            subject=self.subject,
            body=self._opening(),
            channel=self.channel,
            source=source,
            properties=props,
        )

    def _intake(self) -> tuple[User | None, str, dict]:
        """Who files the ticket through which door, and what it knows at once. Mail,
        API and bot hand-offs are routed on arrival; portal and chat requests wait for an
        agent to triage them; a phone call is logged by the agent who took it."""
        rng, topic = self.rng, self.topic
        props: dict = {"priority": rng.choice(topic.priorities), "type": rng.choice(topic.types)}
        if self.channel == Channel.PORTAL:
            form = self.cast.forms[FORM_OF_GROUP[topic.group]]
            keys = tuple(dict.fromkeys([*topic.fields, *(f.key for f in form.fields.all())]))
            props |= {"form": form, "custom_fields": self._custom_fields(keys)}
            return self.requester, Source.WEB, props
        if self.channel == Channel.CHAT:
            return self.requester, Source.WEB, props
        props |= {
            "group": self.group,
            "tags": self.tags,
            "custom_fields": self._custom_fields(topic.fields),
        }
        if self.channel == Channel.PHONE:
            return self.agent, Source.WEB, props | {"assignee": self.agent}
        if self.channel == Channel.API:
            return self.cast.admin, Source.API, props
        if self.channel == Channel.BOT:
            return None, Source.SYSTEM, props
        return None, Source.EMAIL, props

    def _opening(self) -> str:
        opening = self.text(self.rng.choice(self.topic.openings))
        if self.channel == Channel.PHONE:
            return f"Phone call with {self.requester.display_name}: {opening}"
        if self.channel == Channel.BOT:
            return (
                f"Conversation with the assistant:\n\nCustomer: {opening}\n\nAssistant: I "
                f'found an article that may help: "{self.subject}". Did it answer your '
                f"question?\n\nCustomer: No, I need to talk to a person."
            )
        return content.customer_message(self.rng, opening, self.ctx, chat=self.chat)

    def take(self) -> None:
        changes: dict = {"assignee": self.agent}
        if self.channel in (Channel.PORTAL, Channel.CHAT):
            changes = {"group": self.group, "tags": self.tags, **changes}
        update_ticket(self.made, by=self.agent, changes=changes)

    def escalate(self) -> None:
        update_ticket(self.made, by=self.agent, changes={"priority": "urgent"})
        self.note(self.agent, content.ESCALATION_NOTES)

    def agent_says(self, templates: tuple[str, ...], status: str) -> None:
        body = self.from_agent(self.rng.choice(templates))
        reply(self.made, author=self.agent, body=body, status=status, channel=self.channel)

    def customer_says(self, templates: tuple[str, ...]) -> None:
        source = Source.EMAIL if self.channel == Channel.EMAIL else Source.WEB
        body = self.from_customer(self.rng.choice(templates))
        reply(self.made, author=self.requester, body=body, source=source, channel=self.channel)

    def note(self, author: User, templates: tuple[str, ...]) -> None:
        reply(self.made, author=author, body=self.text(self.rng.choice(templates)), public=False)

    def solve_again(self) -> None:
        update_ticket(self.made, by=self.agent, changes={"status": Status.SOLVED})
