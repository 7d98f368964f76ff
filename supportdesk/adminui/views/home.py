"""/agent/admin/: the sections, each with a small count."""

from __future__ import annotations

from django.http import HttpResponse

from supportdesk.accounts.models import STAFF_ROLES, ApiToken, Group, Organization, Role, User
from supportdesk.adminui.access import admin_view, capped_count, show
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.models import CustomField, TicketForm


@admin_view
def index(request: AuthedRequest) -> HttpResponse:
    people = User.objects.filter(is_active=True)
    counts = {
        "agents": capped_count(people.filter(role__in=STAFF_ROLES)),
        "groups": capped_count(Group.objects.all()),
        "organizations": capped_count(Organization.objects.all()),
        "customers": capped_count(people.filter(role=Role.CUSTOMER)),
        "fields": capped_count(CustomField.objects.filter(enabled=True)),
        "forms": capped_count(TicketForm.objects.filter(enabled=True)),
        "tokens": capped_count(ApiToken.objects.all()),
    }
    return show(request, "adminui/index.html", {"section": "index", "counts": counts})
