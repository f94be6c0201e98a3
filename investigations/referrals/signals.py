"""Receivers that re-evaluate a case's referrals when the workflow records something the rules read.

Connected in ReferralsConfig.ready(). They run inside the workflow service's transaction, so a referral and
the event that caused it are saved together or not at all.
"""

from investigations.models import Finding, State

from .services import evaluate_case


def finding_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.stage == Finding.Stage.APPROVED:
        evaluate_case(instance.investigation, event="an approved finding")


def discipline_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        evaluate_case(instance.investigation, event=f"discipline recorded ({instance.get_kind_display()})")


def separation_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.investigation_id:
        evaluate_case(instance.investigation, event=f"a separation ({instance.get_reason_display()})")


def investigation_saved(sender, instance, created, raw=False, **kwargs):
    # Closing a case fixes whether a separation happened "during the investigation"; other moves change nothing.
    if not raw and not created and instance.state == State.CLOSED:
        evaluate_case(instance, event="the case was closed")
