"""The less common things a real desk has: duplicates merged, problems with linked
incidents, related tickets, spam in the trash, and follow-ups to closed requests."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from supportdesk.accounts.models import User
from supportdesk.accounts.services import find_or_create_requester
from supportdesk.demo import content
from supportdesk.demo.people import Cast
from supportdesk.demo.stories import AGENT_LATER, NOTE, Story, Timeline, gap
from supportdesk.demo.topics import PROBLEMS, SPAM, TOPICS
from supportdesk.tickets.models import Channel, LinkKind, Source, Status, Ticket
from supportdesk.tickets.services import create_ticket, reply
from supportdesk.tickets.structure import link_tickets, merge_tickets, trash_ticket

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def plan_merges(rng: random.Random, timeline: Timeline, stories: list[Story], count: int) -> int:
    """A customer writes twice about the same thing; the agent merges the newer ticket
    into the older. Returns how many duplicates it made."""
    candidates = [s for s in stories if s.fate != "new" and s.created < timeline.limit - 2 * DAY]
    for original in rng.sample(candidates, min(count, len(candidates))):
        channel = Channel.PORTAL if original.channel == Channel.EMAIL else Channel.EMAIL
        duplicate = Story(
            original.cast,
            rng,
            topic=original.topic,
            requester=original.requester,
            channel=channel,
            created=original.created + timedelta(minutes=rng.randrange(20, 90)),
            fate="new",
        )
        duplicate.ctx, duplicate.subject = original.ctx, original.subject
        duplicate.plan().schedule(timeline)

        def merge(source: Story = duplicate, target: Story = original) -> None:
            merge_tickets(source.made, target.made, by=target.agent)

        timeline.add(duplicate.created + timedelta(minutes=rng.randrange(30, 120)), merge)
    return min(count, len(candidates))


class ProblemStory(Story):
    """A problem ticket an agent opens when several customers report the same fault."""

    def __init__(
        self, cast: Cast, rng: random.Random, row: tuple[str, str, str, str], created: datetime
    ) -> None:
        key, self.problem_subject, self.description, self.cause = row
        topic = next(t for t in TOPICS if t.key == key)
        lead = cast.groups[topic.group].lead or cast.agent
        super().__init__(
            cast,
            rng,
            topic=topic,
            requester=lead,
            channel=Channel.PORTAL,
            created=created,
            fate="resolved",
        )
        self.agent = lead

    def plan(self) -> ProblemStory:
        self.beats.append((timedelta(0), self.create))
        self.then(NOTE, lambda: self.note(self.agent, self.topic.notes))
        self.beats.append((self.beats[-1][0] + timedelta(days=self.rng.uniform(3, 8)), self.fix))
        self.solved = self.beats[-1][0]
        return self

    def create(self) -> None:
        self.ticket = create_ticket(
            by=self.agent,
            requester=self.agent,
            subject=self.problem_subject,
            body=self.description,
            properties={
                "type": "problem",
                "priority": "high",
                "group": self.group,
                "assignee": self.agent,
                "tags": [*self.topic.tags, "problem"],
            },
        )

    def fix(self) -> None:
        reply(self.made, author=self.agent, body=self.cause, status=Status.SOLVED)


def plan_problems(
    rng: random.Random, cast: Cast, timeline: Timeline, stories: list[Story], count: int
) -> list[ProblemStory]:
    """Problems early enough in the history to collect incidents, each linked to the
    stories of its topic that arrived while it was open."""
    first, last = stories[0].created, timeline.limit - 12 * DAY
    problems = []
    for i in range(count):
        row = PROBLEMS[i % len(PROBLEMS)]
        created = first + (last - first) * rng.uniform(0.2, 0.8)
        problem = ProblemStory(cast, rng, row, created).plan()
        problem.schedule(timeline)
        until = created + problem.solved  # type: ignore[operator]
        incidents = [s for s in stories if s.topic.key == row[0] and created < s.created < until]
        for incident in incidents[:5]:
            _link(timeline, incident, problem, LinkKind.INCIDENT_OF, incident.created + HOUR)
        problems.append(problem)
    return problems


def plan_related(rng: random.Random, timeline: Timeline, stories: list[Story], count: int) -> None:
    """Link tickets of the same requester as related, the customer's own first."""
    by_requester: dict[int, list[Story]] = {}
    for story in stories:
        by_requester.setdefault(story.requester.pk, []).append(story)
    pairs = [group[:2] for group in by_requester.values() if len(group) >= 2]
    first = stories[0].cast.customer.pk
    pairs.sort(key=lambda pair: pair[0].requester.pk != first)
    for older, newer in [pairs[0], *rng.sample(pairs[1:], min(count, len(pairs) - 1))]:
        _link(timeline, newer, older, LinkKind.RELATED, newer.created + gap(rng, AGENT_LATER))


def _link(timeline: Timeline, source: Story, target: Story, kind: str, at: datetime) -> None:
    def link() -> None:
        link_tickets(source.made, target.made, kind=kind, by=target.agent)

    timeline.add(min(at, timeline.limit - timedelta(minutes=1)), link)


def plan_spam(
    rng: random.Random, cast: Cast, timeline: Timeline, start: datetime, count: int
) -> None:
    """Spam that got through the mail filter; an agent moves it to the trash."""
    for i in range(count):
        subject, body = SPAM[i % len(SPAM)]
        sender = f"offers{rng.randrange(10, 99)}@promo-mailer.example"
        created = start + (timeline.limit - DAY - start) * rng.random()
        agent = rng.choice([m for m in cast.members["Billing"]])
        holder: dict[str, Ticket] = {}

        def arrive(
            subject: str = subject, body: str = body, sender: str = sender, holder: dict = holder
        ) -> None:
            requester = find_or_create_requester(sender, name="Promo Mailer")
            holder["ticket"] = create_ticket(
                by=None,
                requester=requester,
                subject=subject,
                body=body,
                channel=Channel.EMAIL,
                source=Source.EMAIL,
            )

        def trash(agent: User = agent, holder: dict = holder) -> None:
            trash_ticket(holder["ticket"], by=agent)

        timeline.add(created, arrive)
        timeline.add(created + timedelta(minutes=rng.randrange(15, 240)), trash)


def plan_follow_ups(
    rng: random.Random, timeline: Timeline, stories: list[Story], count: int
) -> None:
    """Customers who write again after their request closed get a follow-up ticket."""
    closed = [s for s in stories if s.closed_at and s.closed_at + 2 * DAY < timeline.limit]
    for story in rng.sample(closed, min(count, len(closed))):
        closed_at: datetime = story.closed_at  # type: ignore[assignment]
        room = timeline.limit - closed_at - HOUR
        at = closed_at + min(room, timedelta(days=rng.uniform(1, 10)))
        holder: dict[str, Ticket] = {}

        def write_again(story: Story = story, holder: dict = holder) -> None:
            body = story.from_customer(rng.choice(content.FOLLOW_UPS))
            holder["ticket"] = reply(story.made, author=story.requester, body=body).ticket

        def answer(story: Story = story, holder: dict = holder) -> None:
            body = story.from_agent(rng.choice(story.topic.solutions))
            reply(holder["ticket"], author=story.agent, body=body, status=Status.SOLVED)

        timeline.add(at, write_again)
        answered = at + gap(rng, AGENT_LATER)
        if answered < timeline.limit:
            timeline.add(answered, answer)
            timeline.add_close(rng, answered)
