from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "supportdesk.kb"
    label = "kb"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from supportdesk.kb import subscribers
        from supportdesk.notify.kinds import Kind, register
        from supportdesk.tickets.events import subscribe

        register(
            Kind(
                subscribers.FEEDBACK_KIND,
                "Article feedback",
                "A reader votes on or comments on an article you own.",
                email=False,
            )
        )
        subscribe(subscribers.count_article_links)
