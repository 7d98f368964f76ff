from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "supportdesk.automation"
    label = "automation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the condition fields, notification kinds, the event subscriber and
        # routing's answer to an agent going offline.
        from supportdesk.automation import (  # noqa: F401
            fields,
            kinds,
            routing_signals,
            subscribers,
        )
