"""The public help center at /help/."""

from django.urls import path  # noqa: F401

app_name = "help"

urlpatterns: list = []
