"""The e-mail section's badge in the admin navigation."""

from __future__ import annotations

from django import template

from supportdesk.adminui.views.mail_common import attention

register = template.Library()


@register.simple_tag
def mail_attention() -> dict[str, str]:
    """Quarantined + failed counts (cached briefly): {"quarantined", "failed", "total"}."""
    return attention()
