"""The knowledge base in the agent workspace, at /agent/kb/."""

from django.urls import include, path

app_name = "kb"

urlpatterns: list = [
    path("insights/", include("supportdesk.kb.urls_insights")),
]
