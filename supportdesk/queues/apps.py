from django.apps import AppConfig


class QueuesConfig(AppConfig):
    name = "supportdesk.queues"
    label = "queues"
