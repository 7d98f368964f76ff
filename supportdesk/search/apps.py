from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "supportdesk.search"
    label = "search"

    def ready(self) -> None:
        from supportdesk.search.indexer import on_events
        from supportdesk.tickets.events import subscribe

        subscribe(on_events, in_transaction=True)
