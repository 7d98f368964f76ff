from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "supportdesk.notify"
    label = "notify"

    def ready(self) -> None:
        from supportdesk.notify.subscribers import on_events
        from supportdesk.tickets.events import subscribe

        subscribe(on_events)
