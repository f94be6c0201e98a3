from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "investigations"

    def ready(self):
        from complaints.signals import complaint_filed

        complaint_filed.connect(_open_investigation, dispatch_uid="investigations.open")


def _open_investigation(sender, complaint, **kwargs):
    # Every complaint gets its investigation in the same transaction and under the same history reason as the
    # filing, so no complaint can sit outside the workflow.
    from .services import open_investigation

    open_investigation(complaint)
