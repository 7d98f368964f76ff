from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "supportdesk.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
