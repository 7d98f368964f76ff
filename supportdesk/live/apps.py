from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "supportdesk.live"
    verbose_name = "Live updates"

    def ready(self) -> None:
        from supportdesk.live import wake  # noqa: F401 - subscribes to ticket events
