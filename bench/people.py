"""The people of a benchmark desk, sized by N: agents in groups, organizations,
customers, the fixed logins and API tokens a benchmark driver uses."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import accumulate

from django.contrib.auth.hashers import make_password

from bench.fill import Writer, slug
from supportdesk.accounts.models import (
    ApiToken,
    Group,
    Organization,
    OrganizationDomain,
    Role,
    User,
    UserEmail,
)
from supportdesk.demo import content
from supportdesk.demo.people import FIELDS, FORM_OF_GROUP, FORMS
from supportdesk.tickets.models import CustomField, TicketForm

# The password of every fixed login: a benchmark database is never a real desk.
PASSWORD = "bench"  # noqa: S105
GROUPS = ("Billing", "Technical", "Accounts", "Sales", "Onboarding", "Enterprise", "Mobile",
          "Integrations", "Security", "Partners")  # fmt: skip
ORG_WORDS = ("Northwind", "Blue", "Silver", "Granite", "Maple", "Harbor", "Summit", "Cedar",
             "Falcon", "Orbit", "Pioneer", "Quartz", "Redwood", "Sterling", "Tidal", "Union",
             "Vertex", "Willow", "Apex", "Beacon", "Copper", "Delta", "Ember", "Fjord",
             "Golden", "Horizon", "Iron", "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus",
             "Oak", "Prairie", "Radiant", "Sable", "Topaz", "Umber", "Violet",
             "Zenith")  # fmt: skip
ORG_NOUNS = ("Traders", "Robotics", "Labs", "Foods", "Logistics", "Clinics", "Studios",
             "Analytics", "Energy", "Hotels", "Software", "Bank", "Insurance", "Schools",
             "Architects", "Dental", "Airlines", "Media", "Pharma", "Outfitters", "Foundry",
             "Motors", "Textiles", "Games", "Farms", "Brewing", "Legal", "Telecom",
             "Biotech", "Retail", "Security", "Cycles", "Publishing", "Travel", "Wines",
             "Consulting", "Networks", "Capital", "Marine", "Health")  # fmt: skip
ORG_FORMS = ("Inc", "GmbH", "Ltd", "BV", "SA", "AB", "Oy", "LLC", "Group", "Co")


@dataclass
class Customer:
    id: int
    organization_id: int | None
    name: str
    company: str
    plan: str | None
    vip: bool


@dataclass
class Desk:
    admin: int
    agent: int
    light_agent: int
    customer: Customer
    groups: dict[str, int]
    members: dict[int, list[tuple[int, str]]]  # group id -> (agent id, name)
    customers: list[Customer]
    forms: dict[str, int]  # group name -> form id
    accounts: dict[str, str] = field(default_factory=dict)  # e-mail -> password
    tokens: dict[str, str] = field(default_factory=dict)  # role -> API token


def sizes(n: int) -> dict[str, int]:
    return {
        "agents": max(8, min(300, n // 4000)),
        "organizations": max(5, min(len(ORG_WORDS) * len(ORG_NOUNS) * len(ORG_FORMS), n // 200)),
        "customers": max(40, n // 5),
    }


def write_people(writer: Writer, rng: random.Random, n: int, now: int) -> Desk:
    size = sizes(n)
    created = writer.times(now - 400 * 86400)
    orgs = _organizations(writer, rng, size["organizations"], created)
    hashed = make_password(PASSWORD)  # hashed once: it costs half a second by design
    users: list[tuple] = [
        (1, hashed, "admin@example.com", "Morgan Lee", Role.ADMIN, None, "", created),
        (2, hashed, "agent@example.com", "Jamie Rivera", Role.AGENT, None, "", created),
        (3, hashed, "light@example.com", "Lena Novak", Role.LIGHT_AGENT, None, "", created),
        (4, hashed, "customer@example.com", "Casey Morgan", Role.CUSTOMER, 1, "", created),
    ]
    agents = [(2, "Jamie Rivera")]
    for _ in range(size["agents"] - 1):
        person = content.random_person(rng)
        uid = len(users) + 1
        email = f"{slug(person.first)}.{slug(person.last)}.{uid}@example.com"
        users.append((uid, "!", email, person.name, Role.AGENT, None, "", created))
        agents.append((uid, person.name))
    customers = [Customer(4, 1, "Casey Morgan", orgs[0][1], orgs[0][3], False)]
    # A few big customers and a long tail of small ones.
    weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(orgs) - 1)))
    for _ in range(size["customers"] - 1):
        org = rng.choices(orgs[1:], cum_weights=weights)[0] if rng.random() < 0.8 else None
        customers.append(_customer(rng, users, org, created))
    table = writer.table(
        User,
        ("id", "password", "email", "name", "role", "organization_id", "segment", "created_at"),
    )
    writer.insert(table, users)
    emails = writer.table(UserEmail, ("id", "user_id", "email"))
    writer.insert(emails, [(u[0], u[0], u[2]) for u in users])
    groups, members = _groups(writer, rng, agents)
    desk = Desk(
        admin=1,
        agent=2,
        light_agent=3,
        customer=customers[0],
        groups=groups,
        members=members,
        customers=customers,
        forms=_forms(),
    )
    desk.accounts = {u[2]: PASSWORD for u in users[:4]}
    desk.tokens = _tokens(writer, created)
    return desk


def _organizations(writer: Writer, rng: random.Random, count: int, created: str) -> list[tuple]:
    """(id, name, domain, plan) rows; the first is the customer login's."""
    names = [f"{w} {n} {f}" for w in ORG_WORDS for n in ORG_NOUNS for f in ORG_FORMS]
    picked = ["Example Retail", *rng.sample(names, count - 1)]
    orgs = [
        (i + 1, name, f"{slug(name)}.example", rng.choice(content.PLANS[1:]))
        for i, name in enumerate(picked)
    ]
    table = writer.table(Organization, ("id", "name", "shared_tickets", "created_at"))
    writer.insert(table, [(o[0], o[1], rng.random() < 0.25, created) for o in orgs])
    domains = writer.table(OrganizationDomain, ("id", "organization_id", "domain"))
    writer.insert(domains, [(o[0], o[0], o[2]) for o in orgs])
    return orgs


def _customer(rng: random.Random, users: list[tuple], org: tuple | None, created: str) -> Customer:
    person = content.random_person(rng)
    uid = len(users) + 1
    domain = org[2] if org else rng.choice(content.FREEMAIL)
    email = f"{slug(person.first)}.{slug(person.last)}.{uid}@{domain}"
    vip = rng.random() < 0.03
    users.append(
        (
            uid,
            "!",
            email,
            person.name,
            Role.CUSTOMER,
            org[0] if org else None,
            "vip" if vip else "",
            created,
        )
    )
    return Customer(
        uid,
        org[0] if org else None,
        person.name,
        org[1] if org else "",
        org[3] if org else None,
        vip,
    )


def _groups(
    writer: Writer, rng: random.Random, agents: list[tuple[int, str]]
) -> tuple[dict[str, int], dict[int, list[tuple[int, str]]]]:
    """Every agent in one or two groups; agent@example.com in Billing and Technical."""
    groups = {name: i + 1 for i, name in enumerate(GROUPS)}
    members: dict[int, list[tuple[int, str]]] = {gid: [] for gid in groups.values()}
    members[groups["Billing"]].append(agents[0])
    members[groups["Technical"]].append(agents[0])
    for i, agent in enumerate(agents[1:]):
        first = 1 + i % len(GROUPS)
        members[first].append(agent)
        if rng.random() < 0.4:
            other = rng.randrange(1, len(GROUPS) + 1)
            if agent not in members[other]:
                members[other].append(agent)
    for gid, people in members.items():
        if not people:  # few agents: share them out so that every group has someone
            people.append(agents[1 + gid % (len(agents) - 1)])
    table = writer.table(Group, ("id", "name", "description", "lead_id"))
    writer.insert(
        table,
        [(gid, name, f"{name} requests.", members[gid][0][0]) for name, gid in groups.items()],
    )
    through = Group.members.through
    rows = [(gid, uid) for gid, people in members.items() for uid, _name in people]
    writer.insert(writer.table(through, ("group_id", "user_id")), rows)
    return groups, members


def _forms() -> dict[str, int]:
    """The demo's custom fields and forms: three rows each, through the ORM."""
    fields = {}
    for position, (key, label, kind, options, required) in enumerate(FIELDS):
        fields[key] = CustomField.objects.create(
            key=key,
            label=label,
            type=kind,
            options=options,
            required=required,
            position=position,
        )
    forms = {}
    for position, (name, keys) in enumerate(FORMS):
        form = TicketForm.objects.create(name=name, position=position)
        form.fields.add(*(fields[k] for k in keys))
        forms[name] = form.pk
    return {group: forms[name] for group, name in FORM_OF_GROUP.items()}


def _tokens(writer: Writer, created: str) -> dict[str, str]:
    """Known API tokens for the fixed logins, stored as the API expects (SHA-256)."""
    tokens = {
        role: f"sd_bench_{role}_token_0000000000000000000000000000"
        for role in ("admin", "agent", "customer")
    }
    rows = [
        (i + 1, uid, "bench", ApiToken.digest_of(token), token[:8], created)
        for i, (uid, token) in enumerate(zip((1, 2, 4), tokens.values(), strict=True))
    ]
    table = writer.table(ApiToken, ("id", "user_id", "name", "digest", "prefix", "created_at"))
    writer.insert(table, rows)
    return tokens
