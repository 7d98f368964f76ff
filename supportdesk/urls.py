from django.contrib import admin
from django.urls import include, path

from supportdesk.api.root import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("live/", include("supportdesk.live.urls")),
    path("", include("supportdesk.mail.urls")),  # /mail/inbound/..., /agent/mail/...
    path("agent/admin/automation/", include("supportdesk.automation.urls_rules")),
    path("agent/admin/", include("supportdesk.adminui.urls")),
    path("agent/", include("supportdesk.automation.urls")),  # /agent/macros/...
    path("agent/kb/", include("supportdesk.kb.urls_agent")),
    path("agent/", include("supportdesk.agent.urls")),
    path("help/", include("supportdesk.kb.urls_help")),
    path("", include("supportdesk.web.urls")),
    path("", include("supportdesk.portal.urls")),
]
