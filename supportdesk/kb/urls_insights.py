"""Self-service insights for admins, at /agent/kb/insights/."""

from django.urls import path

from supportdesk.kb import views_insights

urlpatterns: list = [
    path("", views_insights.insights, name="insights"),
]
