"""Template helpers of the portal: status words and human times."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from supportdesk.portal.status import customer_status

register = template.Library()


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """The status as a badge in customer words."""
    words = customer_status(status)
    return format_html('<span class="badge {}">{}</span>', words.css, words.label)


@register.simple_tag
def attachment_limit() -> str:
    return filesizeformat(settings.MAX_ATTACHMENT_BYTES)


@register.filter
def status_words(status: str) -> str:
    return customer_status(status).label


@register.simple_tag
def when(moment: datetime | None) -> SafeString:
    """A <time> element: "3 hours ago" within a week, the date after that, and the exact
    time in the tooltip."""
    if moment is None:
        return format_html("")
    local = timezone.localtime(moment)
    age = timezone.now() - moment
    if age < timedelta(minutes=1):
        human = "just now"
    elif age < timedelta(days=7):
        human = f"{timesince(moment).split(',')[0]} ago"
    else:
        human = f"{local:%-d %b %Y}"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        f"{local:%-d %b %Y, %H:%M %Z}",
        human,
    )
