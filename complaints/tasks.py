"""Celery jobs for evidence processing: one job per step, chained, each retried with exponential back-off when a
service is unavailable (clamd, the storage), and marked failed with its reason when it gives up."""

from botocore.exceptions import BotoCoreError, ClientError
from celery import Task, chain, shared_task
from django.db import DatabaseError

from . import processing
from .media import ToolFailed
from .scanning import ScannerUnavailable

# Worth retrying: a service that may come back. ToolFailed (the file itself is bad) is not retried.
TRANSIENT = (ScannerUnavailable, OSError, DatabaseError, BotoCoreError, ClientError)


class ProcessingTask(Task):
    autoretry_for = TRANSIENT
    retry_backoff = 30
    retry_backoff_max = 3600
    retry_jitter = True
    max_retries = 8
    acks_late = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        reason = str(exc) if isinstance(exc, ToolFailed) else f"{type(exc).__name__}: {exc}"
        processing.mark_failed(args[0], reason)


def _step(name):
    @shared_task(base=ProcessingTask, bind=True, name=f"complaints.process_{name}")
    def job(self, evidence_id):
        if not processing.run_step(evidence_id, name):
            # Quarantined or failed: the rest of the chain has nothing to do.
            self.request.chain = None
        return evidence_id

    job.__doc__ = f"Evidence processing step '{name}' (idempotent)."
    return job


scan = _step("scan")
probe = _step("probe")
strip = _step("strip")
pictures = _step("pictures")
playable = _step("playable")
finish = _step("finish")


def pipeline(evidence_id):
    """The processing chain of one evidence file; each step is immutable (.si) and looks up its own work."""
    return chain(scan.si(evidence_id), probe.si(evidence_id), strip.si(evidence_id), pictures.si(evidence_id),
                 playable.si(evidence_id), finish.si(evidence_id))


@shared_task(name="complaints.requeue_stalled_evidence")
def requeue_stalled_evidence():
    """The scheduler's periodic sweep (CELERY_BEAT_SCHEDULE): jobs lost with a broker are sent again."""
    from django.core.management import call_command

    call_command("process_evidence", verbosity=0)
