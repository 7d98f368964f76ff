from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "supportdesk.sla"
    verbose_name = "SLAs"

    def ready(self) -> None:
        from supportdesk.sla import kinds, subscribers  # noqa: F401 - kinds; recompute on changes
