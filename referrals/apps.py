from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ReferralsConfig(AppConfig):
    name = "referrals"
    label = "referrals"
    verbose_name = "POST decertification referrals"

    def ready(self):
        # Referrals and their exports belong to a case's history; the investigations app never imports this one,
        # so this app adds them to the case timeline (the staff page and the case file read the same one).
        from investigations import queries
        from investigations.signals import case_decided

        from .models import ExportLog, Referral

        queries.register_case_history(queries.HistorySource(
            "referral", gettext_lazy("POST referral"), Referral,
            lambda inv: Referral.history.filter(investigation_id=inv.pk),
            describe=lambda row: f"{row.get_status_display()}, {', '.join(row.rules_met or []) or '—'}",
        ))
        queries.register_case_history(queries.HistorySource(
            "referral export", gettext_lazy("referral export"), ExportLog,
            lambda inv: ExportLog.history.filter(investigation_id=inv.pk),
            describe=lambda row: f"{row.get_kind_display()} {row.format} SHA-256 {row.sha256}",
        ))
        queries.NOT_CASE_HISTORY.update({"referrals.ruleset", "referrals.rule"})
        case_decided.connect(_evaluate, dispatch_uid="referrals.evaluate")


def _evaluate(sender, investigation, event, **kwargs):
    # The workflow sends case_decided once per action whose records the rules read: evaluate once, in its
    # transaction, so a referral and the event that caused it are saved together or not at all.
    from .services import evaluate_case

    evaluate_case(investigation, event=event)
