"""The demo's cast: staff, groups, organizations, customers, custom fields and forms.

Made through the account services, reusing whatever already exists under the same e-mail
or name, so `supportdesk demo --force` on a database with people in it does not fail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from supportdesk.accounts.models import Group, Organization, Role, User
from supportdesk.accounts.services import (
    create_user,
    find_user_by_email,
    save_group,
    save_organization,
)
from supportdesk.demo import content
from supportdesk.tickets.models import CustomField, FieldType, TicketForm

# (e-mail, name, role, password, groups). Passwords only for the logins the demo prints;
# the other agents share the agent password (hashed once, see `_staff`).
STAFF = (
    ("admin@example.com", "Morgan Lee", Role.ADMIN, "admin", ("Accounts",)),
    ("agent@example.com", "Jamie Rivera", Role.AGENT, "agent", ("Billing", "Technical")),
    ("maria.gonzalez@example.com", "Maria Gonzalez", Role.AGENT, "agent", ("Billing",)),
    ("tom.becker@example.com", "Tom Becker", Role.AGENT, "agent", ("Billing", "Accounts")),
    ("priya.natarajan@example.com", "Priya Natarajan", Role.AGENT, "agent", ("Technical",)),
    ("jonas.berg@example.com", "Jonas Berg", Role.AGENT, "agent", ("Technical",)),
    ("sofia.rossi@example.com", "Sofia Rossi", Role.AGENT, "agent", ("Accounts",)),
    ("lena.novak@example.com", "Lena Novak", Role.LIGHT_AGENT, "agent", ()),
)
GROUPS = (
    ("Billing", "Payments, invoices, refunds and taxes.", "maria.gonzalez@example.com"),
    ("Technical", "Bugs, outages, integrations and the API.", "priya.natarajan@example.com"),
    ("Accounts", "Ownership, seats, privacy and security of accounts.", "admin@example.com"),
)
CUSTOMER_LOGIN = ("customer@example.com", "Casey Morgan", "customer")
CUSTOMER_ORG = ("Example Retail", "example-retail.example")
LOGINS = (
    ("admin", "admin@example.com", "admin"),
    ("agent", "agent@example.com", "agent"),
    ("customer", "customer@example.com", "customer"),
)


@dataclass
class Cast:
    """Everyone the stories need, by role."""

    admin: User
    agent: User
    customer: User
    light_agent: User
    staff: dict[str, User]
    groups: dict[str, Group]
    members: dict[str, list[User]]
    organizations: list[Organization]
    customers: list[User]
    plans: dict[int, str] = field(default_factory=dict)  # organization id -> plan
    forms: dict[str, TicketForm] = field(default_factory=dict)
    new_logins: set[str] = field(default_factory=set)  # logins the demo made (and set)


def build_cast(rng: random.Random, *, customers: int, organizations: int) -> Cast:
    new: set[str] = set()
    staff = _staff(new)
    groups, members = _groups(staff)
    orgs, plans = _organizations(rng, organizations)
    customer = _customer_login(orgs[0], new)
    people = [customer, *_customers(rng, customers - 1, orgs)]
    return Cast(
        admin=staff["admin@example.com"],
        agent=staff["agent@example.com"],
        customer=customer,
        light_agent=staff["lena.novak@example.com"],
        staff=staff,
        groups=groups,
        members=members,
        organizations=orgs,
        customers=people,
        plans=plans,
        forms=_forms(),
        new_logins=new,
    )


def _existing_or(email: str, **create: object) -> User:
    return find_user_by_email(email) or create_user(email=email, by=None, **create)  # type: ignore[arg-type]


def _staff(new: set[str]) -> dict[str, User]:
    """Staff accounts. Hashing a password costs about half a second by design, so each
    distinct password is hashed once and the hash is shared."""
    hashes = {pw: make_password(pw) for pw in {row[3] for row in STAFF}}
    staff = {}
    for email, name, role, password, _groups in STAFF:
        existing = find_user_by_email(email)
        if existing is not None:
            staff[email] = existing
            continue
        user = create_user(email=email, by=None, name=name, role=role)
        # Same effect as accounts.services.set_password, without hashing again.
        User.objects.filter(pk=user.pk).update(password=hashes[password])
        staff[email] = user
        new.add(email)
    return staff


def _groups(staff: dict[str, User]) -> tuple[dict[str, Group], dict[str, list[User]]]:
    admin = staff["admin@example.com"]
    groups, members = {}, {}
    for name, description, lead in GROUPS:
        people = [staff[row[0]] for row in STAFF if name in row[4]]
        group = Group.objects.filter(name=name).first()
        if group is not None:
            people = list({*group.members.all(), *people})
        groups[name] = save_group(
            by=admin,
            group=group,
            name=name,
            description=description,
            lead=staff[lead],
            members=people,
        )
        members[name] = people
    return groups, members


def _organizations(rng: random.Random, count: int) -> tuple[list[Organization], dict[int, str]]:
    """The customer's own organization first, then companies; about one in four shares
    tickets among its members."""
    rows = [CUSTOMER_ORG, *rng.sample(content.COMPANIES, min(count, len(content.COMPANIES)))]
    orgs, plans = [], {}
    for i, (name, domain) in enumerate(rows[:count]):
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = save_organization(
                by=None,
                name=name,
                domains=[domain],
                shared_tickets=i == 0 or rng.random() < 0.25,
                notes=rng.choice(
                    (
                        "",
                        "",
                        "Renewal in Q3.",
                        "Key account, handle with care.",
                        "Pays by bank transfer, not card.",
                    )
                ),
            )
        orgs.append(org)
        plans[org.pk] = rng.choice(content.PLANS[1:])
    return orgs, plans


def _customer_login(org: Organization, new: set[str]) -> User:
    email, name, password = CUSTOMER_LOGIN
    user = find_user_by_email(email)
    if user is None:
        user = create_user(
            email=email,
            by=None,
            name=name,
            password=password,
            organization=org,
            phone="+1 555 0100",
            time_zone="America/New_York",
        )
        new.add(email)
    return user


def _customers(rng: random.Random, count: int, orgs: list[Organization]) -> list[User]:
    """Customers, most at an organization's domain (which puts them in it), some on
    private addresses. No passwords: they write in by e-mail and the portal."""
    domains = [org.domain_rows.values_list("domain", flat=True)[0] for org in orgs[1:]]
    # A few big customers and a long tail of small ones.
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(domains))]
    people: list[User] = []
    used: set[str] = set()
    for i in range(count):
        person = content.random_person(rng)
        if domains and rng.random() < 0.85:
            domain = rng.choices(domains, weights)[0]
        else:
            domain = rng.choice(content.FREEMAIL)
        email = person.email_at(domain)
        email = email if email not in used else person.email_at(domain, i)
        used.add(email)
        profile = {"segment": "vip"} if rng.random() < 0.05 else {}
        people.append(_existing_or(email, name=person.name, **profile))
    return people


FIELDS: tuple[tuple[str, str, str, list[str], bool], ...] = (
    ("order_number", "Order number", FieldType.TEXT, [], False),
    ("product", "Product", FieldType.DROPDOWN, list(content.PRODUCTS), True),
    ("plan", "Plan", FieldType.DROPDOWN, list(content.PLANS), False),
)
FORMS = (
    ("Billing question", ("order_number", "plan")),
    ("Technical problem", ("product", "plan")),
    ("Account request", ("plan",)),
)
FORM_OF_GROUP = {
    "Billing": "Billing question",
    "Technical": "Technical problem",
    "Accounts": "Account request",
}


def _forms() -> dict[str, TicketForm]:
    """Custom fields and forms are admin configuration without a service yet (and without
    events), so they are written directly."""
    fields = {}
    for position, (key, label, kind, options, required) in enumerate(FIELDS):
        fields[key], _ = CustomField.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "type": kind,
                "options": options,
                "required": required,
                "position": position,
            },
        )
    forms = {}
    for position, (name, keys) in enumerate(FORMS):
        form, _ = TicketForm.objects.get_or_create(name=name, defaults={"position": position})
        form.fields.add(*(fields[k] for k in keys))
        forms[name] = form
    return forms
