"""Included by the agent app under /agent/notifications/, so names are agent:notify:*."""

from django.urls import URLPattern, path

from supportdesk.notify import views

app_name = "notify"

urlpatterns: list[URLPattern] = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
]
