from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyInterventionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "early_intervention"
    verbose_name = _("early intervention")
