"""/agent/kb/insights/: how self-service does, for admins: requests deflected by
suggested articles, what visitors search for, and the searches that found nothing."""

from __future__ import annotations

from django.http import HttpResponse

from supportdesk.adminui.access import admin_view
from supportdesk.kb import deflection
from supportdesk.kb.views_common import page
from supportdesk.lib.http import AuthedRequest

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30


@admin_view
def insights(request: AuthedRequest) -> HttpResponse:
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else DEFAULT_DAYS
    figures = deflection.deflection(days=days)
    context = {
        "days": days,
        "periods": PERIODS,
        "figures": figures,
        "percent": round(figures.rate * 100, 1) if figures.rate is not None else None,
        "window_hours": int(deflection.WINDOW.total_seconds() // 3600),
        "top": deflection.top_searches(days=days),
        "gaps": deflection.knowledge_gaps(days=days),
    }
    return page(request, "kb/insights/insights.html", context, section="insights")
