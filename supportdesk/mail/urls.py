"""Mounted at the site's root (supportdesk/urls.py): the inbound webhook lives under
/mail/, the original of a message under the agents' /agent/."""

from django.urls import path

from supportdesk.mail import views

app_name = "mail"
urlpatterns = [
    path("mail/inbound/<int:pk>/", views.inbound, name="inbound"),
    path("agent/mail/original/<int:pk>/", views.original, name="original"),
]
