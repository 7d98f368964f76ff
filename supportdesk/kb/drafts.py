"""“Create article from this ticket”: a draft from the customer's question and the
agent's answer, for the agent to edit before publishing."""

from __future__ import annotations

from django.db import transaction

from supportdesk.accounts.models import User
from supportdesk.kb import services
from supportdesk.kb.models import Article, Category, Section
from supportdesk.tickets.models import Ticket


def _quote(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


def draft_body(ticket: Ticket) -> str:
    messages = list(ticket.messages.filter(public=True).select_related("author").order_by("id"))
    question = next((m.body for m in messages if not m.author.is_agent), "")
    answer = next((m.body for m in reversed(messages) if m.author.is_agent), "")
    return (
        f"## Question\n\n{_quote(question) or 'What the customer asked.'}\n\n"
        f"## Answer\n\n{_quote(answer) or 'How it was solved.'}\n"
    )


def default_section(by: User) -> Section:
    section = Section.objects.order_by("category__position", "position", "id").first()
    if section is not None:
        return section
    category = Category.objects.first() or services.save_category(by=by, name="General")
    return services.save_section(by=by, category=category, name="General")


@transaction.atomic
def draft_from_ticket(ticket: Ticket, *, by: User, section: Section | None = None) -> Article:
    """A draft article owned by `by`; the caller has checked `by` may see the ticket."""
    services.require_author(by)
    return services.create_article(
        by=by,
        section=section or default_section(by),
        title=ticket.subject,
        body=draft_body(ticket),
        tags=list(ticket.tags or []) if isinstance(ticket.tags, list) else [],
    )
