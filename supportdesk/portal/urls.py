from django.urls import path

from supportdesk.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
