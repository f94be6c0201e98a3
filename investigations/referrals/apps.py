from django.apps import AppConfig
from django.db.models.signals import post_save


class ReferralsConfig(AppConfig):
    name = "investigations.referrals"
    label = "referrals"
    verbose_name = "POST decertification referrals"

    def ready(self):
        from investigations.models import DisciplineDecision, Finding, Investigation, OfficerSeparation

        from . import signals

        post_save.connect(signals.finding_saved, sender=Finding, dispatch_uid="referrals.finding")
        post_save.connect(signals.discipline_saved, sender=DisciplineDecision, dispatch_uid="referrals.discipline")
        post_save.connect(signals.separation_saved, sender=OfficerSeparation, dispatch_uid="referrals.separation")
        post_save.connect(signals.investigation_saved, sender=Investigation, dispatch_uid="referrals.investigation")
