"""Load the demo: a help desk with 90 days of history, written through the services.

Every ticket, message, event and search document comes from the same service calls the
UI makes, run under a frozen clock (`clock.travel`) that steps through the history in
time order, with mail muted (`notify.services.muted`): the history already happened.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.demo.articles import load_articles
from supportdesk.demo.clock import Clock, travel
from supportdesk.demo.extras import (
    plan_follow_ups,
    plan_merges,
    plan_problems,
    plan_related,
    plan_spam,
)
from supportdesk.demo.people import LOGINS, Cast, build_cast
from supportdesk.demo.stories import Story, Timeline
from supportdesk.demo.topics import TOPICS
from supportdesk.notify.services import muted
from supportdesk.tickets.models import Ticket

DAYS = 90
TICKETS = 2000
CUSTOMERS = 200
ORGANIZATIONS = 30
BATCH = 200  # steps per transaction: fewer commits, short enough write locks

CHANNELS = ("email", "portal", "chat", "api", "phone", "bot")
CHANNEL_WEIGHTS = (38, 25, 12, 7, 10, 8)
GROUP_WEIGHTS = {"Billing": 35, "Technical": 45, "Accounts": 20}
# The newest tickets, oldest first: every status and channel shows up at any scale, and
# the customer login has requests in flight. (fate, channel, filed by the customer login)
RECENT = (
    ("resolved", "phone", False),
    ("on-hold", "api", False),
    ("pending", "chat", True),
    ("open", "portal", True),
    ("open", "bot", False),
    ("new", "email", False),
)
CUSTOMER_OLDER_TICKETS = 3


@dataclass
class DemoSummary:
    tickets: int
    people: int
    organizations: int
    seconds: float
    logins: list[tuple[str, str, str]]  # (role, e-mail, password) the demo set
    kept: list[str]  # logins that existed before: their passwords are unchanged


def has_tickets() -> bool:
    return Ticket.objects.exists()


def load_demo(
    *, scale: float = 1.0, seed: int = 1729, progress: Callable[[str], None] | None = None
) -> DemoSummary:
    """Fill the database with about `2000 * scale` tickets over the last 90 days, 200 *
    scale customers in 30 * scale organizations, three groups and eight staff. The same
    seed gives the same desk (apart from the dates, which end now)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    rng = random.Random(seed)
    began = time.monotonic()
    limit = timezone.now() - timedelta(minutes=2)
    start = limit - timedelta(days=DAYS)
    with muted(), travel(start - timedelta(days=30)) as clock:
        with transaction.atomic():
            cast = build_cast(
                rng,
                customers=max(12, round(CUSTOMERS * scale)),
                organizations=max(3, round(ORGANIZATIONS * scale)),
            )
        timeline = Timeline(limit, timedelta(days=settings.AUTO_CLOSE_SOLVED_DAYS))
        plan_desk(rng, cast, timeline, tickets=max(40, round(TICKETS * scale)), start=start)
        run(timeline, clock, progress or (lambda _line: None))
        load_articles(staff=cast.staff)
    return DemoSummary(
        tickets=Ticket.objects.count(),
        people=User.objects.exclude(role=Role.CUSTOMER).count() + len(cast.customers),
        organizations=Organization.objects.count(),
        seconds=time.monotonic() - began,
        logins=[login for login in LOGINS if login[1] in cast.new_logins],
        kept=[email for _role, email, _pw in LOGINS if email not in cast.new_logins],
    )


def plan_desk(
    rng: random.Random, cast: Cast, timeline: Timeline, *, tickets: int, start: datetime
) -> None:
    spam = max(2, round(tickets / 700))
    merges = max(1, round(tickets / 500))
    problems = max(1, round(tickets / 800))
    main = tickets - spam - merges - problems
    stories = plan_stories(rng, cast, timeline, count=main, start=start)
    for story in stories:
        story.plan().schedule(timeline)
    plan_merges(rng, timeline, stories, merges)
    plan_problems(rng, cast, timeline, stories, problems)
    plan_related(rng, timeline, stories, max(1, round(tickets / 250)))
    plan_spam(rng, cast, timeline, start, spam)
    plan_follow_ups(rng, timeline, stories, max(1, round(tickets / 400)))


def plan_stories(
    rng: random.Random, cast: Cast, timeline: Timeline, *, count: int, start: datetime
) -> list[Story]:
    limit = timeline.limit
    times = creation_times(rng, count - len(RECENT), start, limit - timedelta(minutes=10))
    # The newest few are all within the last 36 hours, whatever the scale.
    times = sorted(times + [limit - timedelta(hours=rng.uniform(0.5, 36)) for _ in RECENT])
    customers = cast.customers[1:]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(customers))]
    topic_weights = [GROUP_WEIGHTS[t.group] / _topics_in(t.group) for t in TOPICS]
    own = set(rng.sample(range(count - len(RECENT)), CUSTOMER_OLDER_TICKETS))
    stories = []
    for i, created in enumerate(times):
        recent = i - (count - len(RECENT))
        if recent >= 0:
            fate, channel, mine = RECENT[recent]
        else:
            fate = fate_for(rng, limit - created) if i else "resolved"
            channel, mine = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0], i in own
        if fate == "new" and channel == "phone":
            channel = "email"  # an agent who logs a call takes the ticket
        requester = cast.customer if mine else rng.choices(customers, weights)[0]
        topic = rng.choices(TOPICS, topic_weights)[0]
        stories.append(
            Story(
                cast,
                rng,
                topic=topic,
                requester=requester,
                channel=channel,
                created=created,
                fate=fate,
            )
        )
    return stories


def _topics_in(group: str) -> int:
    return sum(1 for t in TOPICS if t.group == group)


def creation_times(
    rng: random.Random, count: int, start: datetime, end: datetime
) -> list[datetime]:
    """Arrival times: busier on weekdays and in (European and American) office hours."""
    times: list[datetime] = []
    span = end - start
    while len(times) < count:
        at = start + span * rng.random()
        weekend = at.weekday() >= 5
        office = 7 <= at.hour < 22
        keep = (0.35 if weekend else 1.0) * (1.0 if office else 0.3)
        if rng.random() < keep:
            times.append(at)
    return sorted(times)


def fate_for(rng: random.Random, age: timedelta) -> str:
    """Most old tickets are resolved; new and waiting ones are recent."""
    if age < timedelta(days=1):
        weights = (20, 30, 20, 5, 25)
    elif age < timedelta(days=4):
        weights = (3, 15, 20, 7, 55)
    else:
        weights = (0, 3, 3, 3, 91)
    return rng.choices(("new", "open", "pending", "on-hold", "resolved"), weights)[0]


def run(timeline: Timeline, clock: Clock, progress: Callable[[str], None]) -> None:
    steps = timeline.ordered()
    tenth = max(1, len(steps) // 10)
    for first in range(0, len(steps), BATCH):
        with transaction.atomic():
            for step in steps[first : first + BATCH]:
                clock.set(step.at)
                step.run()
        done = min(first + BATCH, len(steps))
        if done // tenth != first // tenth or done == len(steps):
            progress(f"{done * 100 // len(steps)}% ({done:,} of {len(steps):,} steps)")
