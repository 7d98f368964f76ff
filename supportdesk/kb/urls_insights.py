"""Self-service insights for admins, at /agent/kb/insights/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
