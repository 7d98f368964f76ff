from django.apps import AppConfig


class AgentConfig(AppConfig):
    name = "supportdesk.agent"
    verbose_name = "Agent workspace"
