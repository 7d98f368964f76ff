from django.urls import path

from supportdesk.web import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("files/<str:token>/<path:filename>", views.attachment, name="attachment"),
]
