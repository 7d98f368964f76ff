from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "supportdesk.mail"
    verbose_name = "E-mail"
