from django.apps import AppConfig


class NoticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notices"
    verbose_name = "notices to filers"

    def ready(self):
        from . import checks  # noqa: F401
