from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints (the record)"

    def ready(self):
        from . import checks  # noqa: F401
        from .anchors import sign_unsigned_heads
        from .dbguards import install_guards
        from .defaults import ensure_defaults
        from .uploads import sweep_stale_uploads

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="complaints.ensure_defaults")
        post_migrate.connect(install_guards, sender=self, dispatch_uid="complaints.install_guards")
        # A crash or restart mid-upload leaves a temporary file behind; sweep old ones whenever the app starts.
        sweep_stale_uploads()
        post_migrate.connect(sign_unsigned_heads, sender=self, dispatch_uid="complaints.sign_unsigned_heads")
