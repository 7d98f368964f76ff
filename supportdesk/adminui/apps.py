from django.apps import AppConfig


class AdminUiConfig(AppConfig):
    name = "supportdesk.adminui"
    verbose_name = "Admin pages"
