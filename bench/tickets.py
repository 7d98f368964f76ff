"""Ticket rows exactly as the services leave them, without calling them.

For each ticket a short life (intake, an agent taking it, questions and answers, notes,
the solution, closing by the periodic job) is played out in memory, appending the same
messages and events that `create_ticket`, `update_ticket`, `reply` and
`close_solved_tickets` would append, and ending with the denormalised ticket row, its tag
rows and its search document. Texts come from the demo's topics.
"""

from __future__ import annotations

import json
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate

from bench.fill import Times
from bench.people import GROUPS, Customer, Desk
from supportdesk.demo import content
from supportdesk.demo.people import FORM_OF_GROUP, FORMS
from supportdesk.demo.topics import TOPICS, Topic

CHANNELS = ("email", "portal", "chat", "api", "phone", "bot")
CHANNEL_WEIGHTS = tuple(accumulate((38, 25, 12, 7, 10, 8)))
GROUP_SHARE = {"Billing": 35, "Technical": 45, "Accounts": 20}
FORM_KEYS = {group: dict(FORMS)[name] for group, name in FORM_OF_GROUP.items()}
HOUR, DAY = 3600, 86400
AGENT, CUSTOMER, NOTE, CHAT = (
    (3 * HOUR, 60, 3 * DAY),
    (6 * HOUR, 120, 5 * DAY),
    (1200, 30, 6 * HOUR),
    (120, 20, 900),
)
J = {
    v: json.dumps(v)
    for v in (
        "new",
        "open",
        "pending",
        "on-hold",
        "solved",
        "closed",
        "low",
        "normal",
        "high",
        "urgent",
        "question",
        "incident",
        "problem",
        "task",
    )
}


@dataclass
class Chunk:
    """Rows of a run of tickets, one list per table, in each table's column order."""

    tickets: list[tuple] = field(default_factory=list)
    messages: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    tags: list[tuple] = field(default_factory=list)
    docs: list[tuple] = field(default_factory=list)


TICKET_COLUMNS = (
    "number",
    "subject",
    "requester_id",
    "organization_id",
    "group_id",
    "assignee_id",
    "status",
    "priority",
    "type",
    "channel",
    "form_id",
    "custom_fields",
    "tags",
    "created_at",
    "updated_at",
    "first_reply_at",
    "solved_at",
    "closed_at",
    "last_activity_at",
    "last_public_by_id",
    "last_public_by_agent",
    "message_count",
)
MESSAGE_COLUMNS = (
    "id",
    "ticket_id",
    "author_id",
    "public",
    "body",
    "html",
    "channel",
    "metadata",
    "created_at",
)
EVENT_COLUMNS = (
    "id",
    "ticket_id",
    "kind",
    "field",
    "old",
    "new",
    "actor_id",
    "source",
    "rule",
    "message_id",
    "public",
    "created_at",
)
TAG_COLUMNS = ("id", "ticket_id", "name")
DOC_COLUMNS = ("ticket_id", "subject", "public_text", "private_text")


class Life:
    """One ticket's state while its history is written; mirrors the services' rules."""

    def __init__(self, factory: Factory, number: int, chunk: Chunk) -> None:
        self.f, self.number, self.chunk = factory, number, chunk
        self.status, self.assignee, self.group = "new", None, None
        self.priority, self.type, self.tags, self.custom = "normal", "question", [], {}
        self.updated = self.activity = 0
        self.first_reply = self.solved = self.closed = None
        self.last_by, self.last_by_agent, self.count = None, False, 0
        self.public: list[str] = []
        self.private: list[str] = []

    def event(
        self,
        kind: str,
        field: str,
        old,
        new,
        actor,
        source: str,
        ts: int,  # type: ignore[no-untyped-def]
        message: int | None = None,
        public: bool = True,
    ) -> None:
        f = self.f
        f.chunk_event_id += 1
        self.chunk.events.append(
            (
                f.chunk_event_id,
                self.number,
                kind,
                field,
                old,
                new,
                actor,
                source,
                "",
                message,
                public,
                f.t(ts),
            )
        )

    def message(
        self,
        author: int,
        agent: bool,
        public: bool,
        body: str,
        channel: str,
        source: str,
        actor: int | None,
        ts: int,
    ) -> None:
        f = self.f
        f.chunk_message_id += 1
        mid = f.chunk_message_id
        self.chunk.messages.append(
            (mid, self.number, author, public, body, "", channel, "{}", f.t(ts))
        )
        self.count += 1
        self.activity = self.updated = ts
        if public:
            self.public.append(body)
            self.last_by, self.last_by_agent = author, agent
            if agent and self.first_reply is None:
                self.first_reply = ts
        else:
            self.private.append(body)
        new = f'{{"public": {"true" if public else "false"}, "author": {author}}}'
        self.event("message", "", None, new, actor, source, ts, mid, public)

    def change(self, field: str, old, new, actor, source: str, ts: int) -> None:  # type: ignore[no-untyped-def]
        # Custom fields may be internal, so their changes are never shown to customers.
        public = field != "custom_fields"
        self.event("changed", field, old, new, actor, source, ts, public=public)

    def set_status(self, value: str, actor: int | None, source: str, ts: int) -> None:
        if value == self.status:
            return
        old, self.status = self.status, value
        if value == "solved":
            self.solved = ts
        elif value != "closed":
            self.solved = None
        self.closed = ts if value == "closed" else None
        self.change("status", J[old], J[value], actor, source, ts)

    def rows(
        self, subject: str, requester: Customer, channel: str, form: int | None, created: int
    ) -> None:
        t, chunk, number = self.f.t, self.chunk, self.number
        chunk.tickets.append(
            (
                number,
                subject,
                requester.id,
                requester.organization_id,
                self.group,
                self.assignee,
                self.status,
                self.priority,
                self.type,
                channel,
                form,
                json.dumps(self.custom),
                json.dumps(self.tags),
                t(created),
                t(self.updated),
                t(self.first_reply) if self.first_reply else None,
                t(self.solved) if self.solved else None,
                t(self.closed) if self.closed else None,
                t(self.activity),
                self.last_by,
                self.last_by_agent,
                self.count,
            )
        )
        for name in self.tags:
            self.f.chunk_tag_id += 1
            chunk.tags.append((self.f.chunk_tag_id, number, name))
        chunk.docs.append((number, subject, "\n".join(self.public), "\n".join(self.private)))


class Factory:
    """Builds tickets in number order; ids of messages, events and tags continue across
    chunks."""

    def __init__(
        self, desk: Desk, rng: random.Random, times: Times, *, now: int, close_after: int
    ) -> None:
        self.desk, self.rng, self.t, self.now, self.close_after = desk, rng, times, now, close_after
        self.chunk_message_id = self.chunk_event_id = self.chunk_tag_id = 0
        self.topic_weights = list(
            accumulate(
                GROUP_SHARE[t.group] / sum(1 for u in TOPICS if u.group == t.group) for t in TOPICS
            )
        )
        # Contexts are costly to draw; a pool of them, with per-ticket names and numbers.
        self.contexts = [
            content.ticket_context(rng, customer="x", agent="y", company="") for _ in range(4096)
        ]
        self.heavy = max(1, len(desk.customers) // 50)

    def build(self, number: int, created: int, chunk: Chunk) -> None:
        rng, desk = self.rng, self.desk
        topic = rng.choices(TOPICS, cum_weights=self.topic_weights)[0]
        requester = self._requester(number)
        channel = rng.choices(CHANNELS, cum_weights=CHANNEL_WEIGHTS)[0]
        fate = self._fate(self.now - created)
        if fate == "new" and channel == "phone":
            channel = "email"
        group = desk.groups[topic.group if rng.random() < 0.85 else rng.choice(GROUPS)]
        agent, agent_name = rng.choice(desk.members[group])
        ctx = self._context(number, requester, agent_name)
        life = Life(self, number, chunk)
        beats = self._beats(fate, channel)
        times = self._times(created, beats, chat=channel == "chat")
        subject = rng.choice(topic.subjects).format_map(ctx)
        form = self._intake(life, topic, requester, channel, group, agent, ctx, subject, created)
        for beat, ts in zip(beats[1:], times[1:], strict=True):
            self._play(life, beat, topic, requester, channel, group, agent, ctx, ts)
        if life.status == "solved" and life.solved + self.close_after + 600 < self.now:
            closing = life.solved + self.close_after + rng.randrange(60, 600)
            life.set_status("closed", None, "system", closing)
            life.updated = closing  # close_solved_tickets stamps updated_at like any change
        life.rows(subject, requester, channel, form, created)

    def _requester(self, number: int) -> Customer:
        customers = self.desk.customers
        if number % 500 == 1:
            return self.desk.customer
        if self.rng.random() < 0.3:  # a few customers write a lot
            return customers[self.rng.randrange(self.heavy)]
        return customers[self.rng.randrange(len(customers))]

    def _fate(self, age: int) -> str:
        r = self.rng.random()
        if age < DAY:
            cuts = (0.2, 0.5, 0.7, 0.75)
        elif age < 4 * DAY:
            cuts = (0.03, 0.18, 0.38, 0.45)
        else:
            cuts = (0.0, 0.03, 0.06, 0.09)
        return ("new", "open", "pending", "on-hold", "resolved")[bisect_left(cuts, r)]

    def _context(self, number: int, requester: Customer, agent: str) -> dict:
        ctx = dict(self.contexts[number & 4095])
        ctx.update(
            name=requester.name,
            agent=agent.split(" ")[0],
            agent_full=agent,
            company=requester.company or "our company",
            order=f"SO-{100000 + number}",
            invoice=f"INV-{number:07d}",
            request_id=f"req_{number * 7919:012x}",
        )
        if requester.plan:
            content.set_plan(ctx, requester.plan)
        return ctx

    def _beats(self, fate: str, channel: str) -> list[str]:
        """What happens, in order; the first beat is the intake."""
        rng = self.rng
        if fate == "new":
            return ["intake", "nudge"]
        beats = ["intake"] if channel == "phone" else ["intake", "take"]
        rounds = rng.choice(
            {"open": (0, 1, 2), "pending": (0, 1), "on-hold": (0, 1)}.get(fate, (0, 1, 1, 2))
        )
        beats += ["ask", "answer"] * rounds
        if fate == "open" and rounds == 0:
            beats.append("reply")
        elif fate == "pending":
            beats.append("ask")
        elif fate == "on-hold":
            beats += ["hold", "hold_note"]
        elif fate == "resolved":
            if rounds < 2 and rng.random() < 0.3:
                beats.append("note")
            beats.append("solve")
        return beats

    def _times(self, created: int, beats: list[str], *, chat: bool) -> list[int]:
        rng, offsets, total = self.rng, [0], 0
        for beat in beats[1:]:
            mean, low, high = (
                CHAT
                if chat
                else (
                    CUSTOMER if beat in ("answer", "nudge") else NOTE if "note" in beat else AGENT
                )
            )
            total += int(min(max(rng.expovariate(1 / mean), low), high))
            offsets.append(total)
        room = self.now - 60 - created
        if total > room:  # squeeze a recent ticket's story into the time it has had
            offsets = [o * room // total for o in offsets]
        return [created + o for o in offsets]

    def _intake(
        self,
        life: Life,
        topic: Topic,
        requester: Customer,
        channel: str,
        group: int,
        agent: int,
        ctx: dict,
        subject: str,
        ts: int,
    ) -> int | None:
        """create_ticket: the created event, the first message, then the properties that
        the channel knows at once, in the services' setter order."""
        rng, desk = self.rng, self.desk
        by, source = {
            "email": (None, "email"),
            "portal": (requester.id, "web"),
            "chat": (requester.id, "web"),
            "api": (desk.admin, "api"),
            "phone": (agent, "web"),
            "bot": (None, "system"),
        }[channel]
        new = json.dumps({"subject": subject, "channel": channel, "requester": requester.id})
        life.event("created", "", None, new, by, source, ts)
        body = rng.choice(topic.openings).format_map(ctx)
        if channel == "phone":
            body = f"Phone call with {requester.name}: {body}"
        else:
            body = content.customer_message(rng, body, ctx, chat=channel == "chat")
        life.message(requester.id, False, True, body, channel, source, by, ts)
        priority, kind = rng.choice(topic.priorities), rng.choice(topic.types)
        if priority != "normal":
            life.change("priority", J["normal"], J[priority], by, source, ts)
            life.priority = priority
        if kind != "question":
            life.change("type", J["question"], J[kind], by, source, ts)
            life.type = kind
        values = {"order_number": ctx["order"], "product": ctx["product"], "plan": ctx["plan"]}
        if channel == "chat":
            return None
        if channel == "portal":  # the form sets its fields without events
            life.custom = {
                k: values[k] for k in dict.fromkeys((*topic.fields, *FORM_KEYS[topic.group]))
            }
            return desk.forms[topic.group]
        life.group = group  # routed on arrival
        life.change("group", None, str(group), by, source, ts)
        if channel == "phone":
            life.assignee = agent
            life.change("assignee", None, str(agent), by, source, ts)
        life.tags = self._tags(topic, requester)
        life.change("tags", "[]", json.dumps(life.tags), by, source, ts)
        life.custom = {k: values[k] for k in topic.fields}
        if life.custom:
            life.change("custom_fields", "{}", json.dumps(life.custom), by, source, ts)
        if channel == "phone":
            life.set_status("open", by, source, ts)
        return None

    @staticmethod
    def _tags(topic: Topic, requester: Customer) -> list[str]:
        return [*topic.tags, "vip"] if requester.vip else list(topic.tags)

    def _play(
        self,
        life: Life,
        beat: str,
        topic: Topic,
        requester: Customer,
        channel: str,
        group: int,
        agent: int,
        ctx: dict,
        ts: int,
    ) -> None:
        rng = self.rng
        if beat == "take":  # update_ticket(assignee=..., and group/tags when untriaged)
            if life.group is None:
                life.group = group
                life.change("group", None, str(group), agent, "web", ts)
            life.assignee = agent
            life.change("assignee", None, str(agent), agent, "web", ts)
            if not life.tags:  # portal and chat requests get their tags when triaged
                life.tags = self._tags(topic, requester)
                life.change("tags", "[]", json.dumps(life.tags), agent, "web", ts)
            life.set_status("open", agent, "web", ts)
            life.updated = ts
        elif beat in ("answer", "nudge"):  # reply() by the requester
            templates = topic.answers if beat == "answer" else content.NUDGES
            body = content.customer_message(
                rng, rng.choice(templates).format_map(ctx), ctx, chat=channel == "chat"
            )
            source = "email" if channel == "email" else "web"
            life.message(requester.id, False, True, body, channel, source, requester.id, ts)
            if life.status in ("pending", "solved"):
                life.set_status("open", requester.id, source, ts)
        elif beat in ("note", "hold_note"):
            templates = topic.notes if beat == "note" else content.HOLD_NOTES
            body = rng.choice(templates).format_map(ctx)
            life.message(agent, True, False, body, "portal", "web", agent, ts)
        else:  # reply() by the agent, with the status the beat calls for
            templates, status = {
                "ask": (topic.asks, "pending"),
                "reply": (topic.asks, None),
                "hold": (content.HOLD_MESSAGES, "on-hold"),
                "solve": (topic.solutions, "solved"),
            }[beat]
            body = content.agent_message(
                rng, rng.choice(templates).format_map(ctx), ctx, team=GROUPS[group - 1]
            )
            life.message(agent, True, True, body, channel, "web", agent, ts)
            life.set_status(
                status or ("open" if life.status == "new" else life.status), agent, "web", ts
            )
