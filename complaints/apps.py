from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints (the record)"

    def ready(self):
        from . import checks  # noqa: F401
        from .defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="complaints.ensure_defaults")
