from django.apps import AppConfig
from django.db.models.signals import post_save


class InvestigationsConfig(AppConfig):
    name = "investigations"

    def ready(self):
        from complaints.models import Complaint

        post_save.connect(_open_investigation, sender=Complaint, dispatch_uid="investigations.open")


def _open_investigation(sender, instance, created, raw=False, **kwargs):
    # Every complaint gets its investigation in the same transaction and under the same history reason as the
    # filing, so no complaint can sit outside the workflow.
    if created and not raw:
        from .services import open_investigation

        open_investigation(instance)
