"""Celery jobs: evaluation after a change (for the officers it concerns) and the scheduled evaluation of everyone."""

from celery import shared_task
from django.db import DatabaseError

from . import evaluation


@shared_task(name="early_intervention.evaluate_officers", autoretry_for=(DatabaseError,), retry_backoff=30,
             max_retries=8, acks_late=True)
def evaluate_officers(officer_ids, event=""):
    """Evaluate every rule for the officers a change concerned (early_intervention.services.officers_changed)."""
    return len(evaluation.evaluate(officer_ids=officer_ids, label=f"early intervention after {event or 'a change'}"))


@shared_task(name="early_intervention.evaluate_all", acks_late=True)
def evaluate_all():
    """The scheduler's periodic run (CELERY_BEAT_SCHEDULE): every rule for every officer, as the command does.

    It also raises what only the passing of time brings (a rule version taking effect, a peer percentile moving)
    and whatever a lost job missed.
    """
    return len(evaluation.evaluate(label="scheduled early-intervention evaluation"))
