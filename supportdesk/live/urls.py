from django.urls import path

from supportdesk.live import views

app_name = "live"

urlpatterns = [
    path("stream/", views.stream, name="stream"),
    path("presence/<int:number>/", views.presence, name="presence"),
]
