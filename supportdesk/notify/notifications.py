"""Notifying agents: in the app, by e-mail now, or in a daily digest, as each agent chose.

Mail to customers (confirmations, public replies) does not come through here: customers
always get it, whatever any preference says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied
from supportdesk.notify.kinds import KINDS
from supportdesk.notify.models import DigestItem, Notification, NotificationPreference
from supportdesk.notify.services import send_email
from supportdesk.tickets.models import Ticket

TEXT_MAX = 300


@dataclass(frozen=True)
class Delivery:
    """Where one kind goes for one agent. `digest` only matters when `email` is on."""

    in_app: bool
    email: bool
    digest: bool


def default_delivery(kind: str) -> Delivery:
    k = KINDS[kind]
    return Delivery(in_app=k.in_app, email=k.email, digest=k.digest)


def deliveries(users: Iterable[User], kind: str) -> dict[int, Delivery]:
    """Each user's choice for `kind`, defaults filled in; one query."""
    ids = [u.pk for u in users]
    chosen = {
        p.user_id: Delivery(in_app=p.in_app, email=p.email, digest=p.digest)
        for p in NotificationPreference.objects.filter(user_id__in=ids, kind=kind)
    }
    default = default_delivery(kind)
    return {pk: chosen.get(pk, default) for pk in ids}


def one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TEXT_MAX else line[: TEXT_MAX - 1] + "…"


@transaction.atomic
def notify_agents(
    kind: str,
    *,
    users: Iterable[User],
    ticket: Ticket | None,
    text: str,
    actor: User | None = None,
    email_subject: str,
    email_body: str,
) -> list[Notification]:
    """Tell each active agent in `users` (never the actor) about something, as they chose:
    a Notification row (in app), a mail now, or an item of tomorrow's digest."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = {
        u.pk: u for u in users if u.is_active and u.is_agent and (actor is None or u.pk != actor.pk)
    }
    if not people:
        return []
    line = one_line(text)
    ticket_id = ticket.pk if ticket is not None else None
    rows: list[Notification] = []
    later: list[DigestItem] = []
    for pk, delivery in sorted(deliveries(people.values(), kind).items()):
        person = people[pk]
        if delivery.in_app:
            rows.append(
                Notification(user=person, kind=kind, ticket_id=ticket_id, actor=actor, text=line)
            )
        if delivery.email and delivery.digest:
            later.append(DigestItem(user=person, kind=kind, ticket_id=ticket_id, text=line))
        elif delivery.email:
            send_email(
                kind=kind,
                to=[person.email],
                subject=email_subject,
                body=email_body,
                ticket_id=ticket_id,
            )
    DigestItem.objects.bulk_create(later)
    return Notification.objects.bulk_create(rows)


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read; NotFound for anyone else's."""
    note = (
        Notification.objects.filter(user=user, pk=notification_id).select_related("ticket").first()
    )
    if note is None:
        raise NotFound("no such notification")
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_of(user: User) -> dict[str, Delivery]:
    """The user's delivery for every kind, in the registry's order."""
    chosen = {
        p.kind: Delivery(in_app=p.in_app, email=p.email, digest=p.digest)
        for p in NotificationPreference.objects.filter(user=user)
    }
    return {key: chosen.get(key, default_delivery(key)) for key in KINDS}


@transaction.atomic
def save_preferences(user: User, *, choices: dict[str, Delivery]) -> None:
    """Store the user's choices; a choice equal to the kind's default is stored as no row,
    so that a better default later reaches everyone who never changed it."""
    if not user.is_agent:
        raise PermissionDenied("only agents have notification preferences")
    unknown = sorted(set(choices) - set(KINDS))
    if unknown:
        raise DomainError(f"unknown notification kind: {', '.join(unknown)}")
    for key, delivery in choices.items():
        if delivery.digest and not delivery.email:
            raise DomainError(
                f"{KINDS[key].label}: a daily digest is sent by e-mail; "
                "tick E-mail too, or untick Daily digest"
            )
    custom = {k: d for k, d in choices.items() if d != default_delivery(k)}
    NotificationPreference.objects.filter(user=user, kind__in=set(choices) - set(custom)).delete()
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(
                user=user, kind=k, in_app=d.in_app, email=d.email, digest=d.digest
            )
            for k, d in custom.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["in_app", "email", "digest"],
    )
