from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "supportdesk.sla"
    verbose_name = "SLAs"

    def ready(self) -> None:
        from supportdesk.sla import subscribers  # noqa: F401 - recompute clocks on changes
