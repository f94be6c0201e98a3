from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Public intake"

    def ready(self):
        from . import checks  # noqa: F401
