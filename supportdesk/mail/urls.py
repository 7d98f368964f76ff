from django.urls import path

from supportdesk.mail import views

app_name = "mail"
urlpatterns = [path("inbound/<int:pk>/", views.inbound, name="inbound")]
