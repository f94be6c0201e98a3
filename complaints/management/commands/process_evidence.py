"""Send (again) the processing jobs of evidence that is not finished: after a broker was lost or restored, after
clamd was down for longer than the retries, or for evidence filed before processing existed.

    manage.py process_evidence                 # queue every file still queued/processing for over 30 minutes
    manage.py process_evidence --failed        # also retry the failed ones
    manage.py process_evidence --now 12 13     # run every step of these evidence ids here, without a worker
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints.history import recorded
from complaints.models import Evidence, EvidenceProcessing
from complaints.processing import PROCESSOR, process_now, requeue

State = EvidenceProcessing.State


class Command(BaseCommand):
    help = "Queue processing for evidence that is not finished (or run it here with --now)."

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="also retry evidence whose processing failed")
        parser.add_argument("--older-than", type=int, default=30, help="minutes without progress (default 30)")
        parser.add_argument("--now", nargs="+", type=int, metavar="EVIDENCE_ID", help="process here, in order")

    def handle(self, *args, failed, older_than, now, **options):
        if now:
            for evidence_id in now:
                self._ensure_record(Evidence.objects.get(pk=evidence_id))
                self.stdout.write(f"evidence {evidence_id}: {process_now(evidence_id)}")
            return
        for evidence in Evidence.objects.filter(processing__isnull=True, derived_from__isnull=True):
            self._ensure_record(evidence)
        states = [State.QUEUED, State.PROCESSING] + ([State.FAILED] if failed else [])
        stale = EvidenceProcessing.objects.filter(
            state__in=states, updated_at__lt=timezone.now() - timedelta(minutes=older_than))
        ids = list(stale.values_list("evidence_id", flat=True))
        requeue(ids)
        self.stdout.write(f"queued {len(ids)} evidence file(s)")

    def _ensure_record(self, evidence):
        if not EvidenceProcessing.objects.filter(evidence=evidence).exists():
            with recorded(label=PROCESSOR, reason="processing queued for earlier evidence"):
                EvidenceProcessing.objects.create(evidence=evidence, updated_at=timezone.now() - timedelta(days=1))
