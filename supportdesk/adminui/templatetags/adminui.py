"""Small display helpers of the admin pages."""

from __future__ import annotations

from django import template

from supportdesk.adminui.forms import ROLE_NAMES

register = template.Library()


@register.filter
def role_name(role: str) -> str:
    """A role code as people say it: "light agent", not "light_agent"."""
    return ROLE_NAMES.get(role, role).capitalize()
