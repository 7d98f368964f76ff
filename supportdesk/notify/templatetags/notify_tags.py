"""`{% unread_count as n %}` for the bell in the header, `|kind_label` for lists."""

from __future__ import annotations

from django import template

from supportdesk.notify.kinds import KINDS
from supportdesk.notify.queries import unread_count as count_unread

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context: template.Context) -> int:
    """The signed-in agent's unread count (capped, see queries.unread_count); 0 and no
    query for anyone else."""
    user = context.get("user")
    if user is None or not user.is_authenticated or not user.is_agent:
        return 0
    return count_unread(user)


@register.filter
def kind_label(key: str) -> str:
    kind = KINDS.get(key)
    return kind.label if kind else key.replace("_", " ").capitalize()
