from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyInterventionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "early_intervention"
    verbose_name = _("early intervention")

    def ready(self):
        # The actions that change what the rules count send named events (never model save signals); each is
        # followed by an evaluation of the officers concerned (early_intervention.services.officers_changed).
        from complaints.signals import complaint_filed, retaliation_reported
        from investigations.signals import allegations_classified, case_decided

        complaint_filed.connect(_complaint_filed, dispatch_uid="early_intervention.complaint_filed")
        retaliation_reported.connect(_retaliation_reported, dispatch_uid="early_intervention.retaliation_reported")
        allegations_classified.connect(_allegations_classified,
                                       dispatch_uid="early_intervention.allegations_classified")
        case_decided.connect(_case_decided, dispatch_uid="early_intervention.case_decided")


def _officers_of(complaint_id):
    from complaints.models import Allegation

    return Allegation.objects.filter(complaint_id=complaint_id).values_list("officer_id", flat=True)


def _complaint_filed(sender, complaint, **kwargs):
    from .services import officers_changed

    officers_changed(_officers_of(complaint.pk), event="a complaint was filed")


def _retaliation_reported(sender, complaint, **kwargs):
    from .services import officers_changed

    officers_changed(_officers_of(complaint.pk), event="retaliation was reported")


def _allegations_classified(sender, investigation, officer_ids, **kwargs):
    from .services import officers_changed

    officers_changed(officer_ids, event="allegations were classified")


def _case_decided(sender, investigation, event, **kwargs):
    from .services import officers_changed

    officers_changed(_officers_of(investigation.complaint_id), event=event)
