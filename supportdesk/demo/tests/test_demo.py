"""The demo data keeps its promises: working logins, a busy agent, a customer with
requests, every status and channel, a consistent history in the past, search, no mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Count, Max, Min
from django.utils import timezone

from supportdesk.accounts.models import Group, Role, User
from supportdesk.notify.models import OutgoingEmail
from supportdesk.search.backends import search_ticket_numbers
from supportdesk.search.models import TicketDocument
from supportdesk.tickets.models import (
    Channel,
    EventKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketTag,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One small demo for the whole module, committed for real so that on-commit mail
    hooks run (and must stay silent), then removed again."""
    from supportdesk.demo.loader import load_demo

    with django_db_blocker.unblock():
        summary = load_demo(scale=0.05)
        yield summary
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def test_demo_logins_work_and_show_the_promised_roles(demo):  # type: ignore[no-untyped-def]
    roles = {}
    for _role, email, password in demo.logins:
        user = authenticate(username=email, password=password)
        assert user is not None, f"{email} cannot log in"
        roles[email] = user.role
    assert roles == {
        "admin@example.com": Role.ADMIN,
        "agent@example.com": Role.AGENT,
        "customer@example.com": Role.CUSTOMER,
    }
    assert authenticate(username="admin@example.com", password="wrong") is None
    assert User.objects.exclude(role=Role.CUSTOMER).count() == 8


def test_agent_works_in_two_groups_with_assigned_tickets(demo):  # type: ignore[no-untyped-def]
    agent = User.objects.get(email="agent@example.com")
    assert set(Group.objects.values_list("name", flat=True)) == {"Billing", "Technical", "Accounts"}
    assert set(agent.agent_groups.values_list("name", flat=True)) == {"Billing", "Technical"}
    assert Ticket.objects.filter(assignee=agent).count() >= 3


def test_customer_has_several_requests_in_an_organization(demo):  # type: ignore[no-untyped-def]
    customer = User.objects.get(email="customer@example.com")
    assert customer.organization is not None
    mine = Ticket.objects.visible_to(customer)
    assert mine.filter(requester=customer).count() >= 5
    assert mine.filter(status__in=[Status.OPEN, Status.PENDING]).exists()
    # Customers never see notes, so their view of a conversation is public only.
    assert Message.objects.filter(ticket__requester=customer, public=True).count() >= 10


def test_every_status_and_channel_appears(demo):  # type: ignore[no-untyped-def]
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Ticket.objects.filter(deleted_at__isnull=False).count() >= 2
    assert Ticket.objects.filter(merged_into__isnull=False).exists()
    assert TicketLink.objects.exists()
    assert Ticket.objects.filter(form__isnull=False).exclude(custom_fields={}).exists()


def test_history_is_consistent_and_in_the_past(demo):  # type: ignore[no-untyped-def]
    now = timezone.now()
    span = Ticket.objects.aggregate(first=Min("created_at"), last=Max("last_activity_at"))
    assert (now - span["first"]).days >= 60
    assert span["last"] < now
    assert TicketEvent.objects.aggregate(last=Max("created_at"))["last"] < now
    counted = Ticket.objects.annotate(n=Count("messages"))
    assert all(t.n == t.message_count for t in counted)
    for ticket in Ticket.objects.filter(merged_into__isnull=True):
        times = list(ticket.messages.order_by("id").values_list("created_at", flat=True))
        assert times == sorted(times) and times[0] >= ticket.created_at
        assert ticket.last_activity_at == times[-1] and ticket.updated_at >= ticket.created_at
        if ticket.status in (Status.SOLVED, Status.CLOSED):
            assert ticket.created_at <= ticket.solved_at <= now  # type: ignore[operator]
    # Closed by the periodic job once solved long enough (merged tickets close at once).
    closed = Ticket.objects.filter(status=Status.CLOSED, merged_into__isnull=True)
    wait = timedelta(days=settings.AUTO_CLOSE_SOLVED_DAYS)
    assert all(t.closed_at >= t.solved_at + wait for t in closed)  # type: ignore[operator]


def test_events_tags_and_search_follow_the_services(demo):  # type: ignore[no-untyped-def]
    tickets = Ticket.objects.count()
    assert TicketEvent.objects.filter(kind=EventKind.CREATED).count() == tickets
    assert TicketEvent.objects.filter(kind=EventKind.MESSAGE).count() == Message.objects.count()
    assert TicketDocument.objects.count() == tickets
    for ticket in Ticket.objects.exclude(tags=[]):
        assert sorted(ticket.tag_rows.values_list("name", flat=True)) == sorted(ticket.tags)
    assert TicketTag.objects.count() == sum(
        len(t) for t in Ticket.objects.values_list("tags", flat=True)
    )
    ticket = Ticket.objects.filter(requester__email="customer@example.com").first()
    assert ticket is not None
    # Words only: PostgreSQL's parser reads "SO-732893" as "so" and "-732893".
    words = " ".join(w for w in ticket.subject.split() if w.isalpha())
    found = search_ticket_numbers(words, public_only=False, within=None, limit=200, offset=0)
    assert ticket.pk in found


def test_history_sends_no_mail(demo):  # type: ignore[no-untyped-def]
    # Jobs run inline in tests, so a confirmation that was not muted would be here.
    assert OutgoingEmail.objects.count() == 0
