"""The condition fields automation adds agree between the database filter and the Python
predicate, and event-only fields are refused where no event is known."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.conditions.compile import matches, to_q
from supportdesk.conditions.validate import ConditionError, validate
from supportdesk.mail.models import InboundMessage, Mailbox
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import create_ticket

pytestmark = pytest.mark.django_db


def _agree(conditions: dict, numbers: list[int]) -> set[int]:
    clean = validate(conditions, context="filter")
    now = timezone.now()
    in_db = set(
        Ticket.objects.filter(pk__in=numbers)
        .filter(to_q(clean, now=now))
        .values_list("pk", flat=True)
    )
    in_python = {t.pk for t in Ticket.objects.filter(pk__in=numbers) if matches(t, clean, now=now)}
    assert in_db == in_python, conditions
    return in_db


def _tickets(carol, count: int) -> list[Ticket]:  # type: ignore[no-untyped-def]
    return [
        create_ticket(by=carol, requester=carol, subject=f"T{i}", body="x") for i in range(count)
    ]


def test_sla_state_is_the_same_in_the_database_and_in_python(carol, settings):
    settings.SLA_WARNING_MINUTES = 60
    none, active, warning, breached = _tickets(carol, 4)
    now = timezone.now()
    for ticket, due in (
        (active, now + timedelta(hours=5)),
        (warning, now + timedelta(minutes=30)),
        (breached, now - timedelta(minutes=1)),
    ):
        Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=due)
    numbers = [t.pk for t in (none, active, warning, breached)]
    for state, expected in (
        ("none", none),
        ("active", active),
        ("warning", warning),
        ("breached", breached),
    ):
        assert _agree(
            {"all": [{"field": "sla_state", "operator": "is", "value": state}]}, numbers
        ) == {expected.pk}
    assert _agree(
        {"all": [{"field": "sla_state", "operator": "includes_none", "value": ["none", "active"]}]},
        numbers,
    ) == {warning.pk, breached.pk}


def test_mailbox_is_the_mailbox_the_first_mail_came_in_by(carol):
    support = Mailbox.objects.create(name="Support", address="support@desk.test")
    sales = Mailbox.objects.create(name="Sales", address="sales@desk.test")
    by_support, by_sales, by_portal = _tickets(carol, 3)
    for i, (ticket, mailbox) in enumerate(((by_support, support), (by_sales, sales))):
        InboundMessage.objects.create(mailbox=mailbox, key=f"k{i}", raw=b"x", ticket=ticket)
    numbers = [by_support.pk, by_sales.pk, by_portal.pk]
    assert _agree(
        {"all": [{"field": "mailbox", "operator": "is", "value": support.pk}]}, numbers
    ) == {by_support.pk}
    assert _agree(
        {"all": [{"field": "mailbox", "operator": "is_not", "value": support.pk}]}, numbers
    ) == {by_sales.pk, by_portal.pk}
    assert _agree(
        {"all": [{"field": "mailbox", "operator": "is_empty", "value": None}]}, numbers
    ) == {by_portal.pk}
    with pytest.raises(ConditionError, match="no mailbox with id"):
        validate({"all": [{"field": "mailbox", "operator": "is", "value": 999}]}, context="event")


def test_actor_role_is_known_only_in_trigger_conditions():
    condition = {"all": [{"field": "actor_role", "operator": "is", "value": "customer"}]}
    assert validate(condition, context="event")["all"][0]["value"] == "customer"
    for context in ("filter", "policy"):
        with pytest.raises(ConditionError, match="only known in trigger conditions"):
            validate(condition, context=context)
