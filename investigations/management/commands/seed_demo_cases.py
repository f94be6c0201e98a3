"""Move some of seed_demo's complaints through the workflow, so every staff page has something to show.

For local use only: refused unless DEBUG is on. Run after seed_demo (scripts/run does).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from complaints.models import Complaint, Disposition
from investigations import services
from investigations.models import Investigation, State


class Command(BaseCommand):
    help = "Walk demo complaints through triage, investigation, review and discipline. Refused unless DEBUG=1."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo_cases is for local use only and is refused unless DEBUG=1.")
        users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
        try:
            intake, supervisor = users["demo-intake-coordinator"], users["demo-supervisor"]
            investigator, chief = users["demo-investigator"], users["demo-chief"]
        except KeyError as missing:
            raise CommandError(f"Run seed_demo first ({missing} is missing).") from None
        cases = [
            services.investigation_for(c)
            for c in Complaint.objects.filter(district__in=["D1", "D2", "D3", "TAC", "TRF"]).order_by("received_at")
        ]
        if len(cases) < 6:
            raise CommandError("Run seed_demo first: its demo complaints are missing.")
        if Investigation.objects.exclude(state=State.RECEIVED).exists():
            self.stdout.write("Demo cases already moved along; nothing to do.")
            return
        sustained = Disposition.objects.get(code="sustained")
        not_sustained = Disposition.objects.get(code="not-sustained")
        with transaction.atomic():
            oldest, older, old, middle, recent = cases[:5]

            # The oldest: sustained, reviewed, and the chief's suspension (a POST referral follows).
            self._to_review(oldest, intake, supervisor, investigator, sustained)
            services.approve_findings(oldest, by=supervisor, reasons="Video and two witnesses support the findings.")
            officer = oldest.complaint.allegations.exclude(officer=None).first().officer
            services.record_final_discipline(
                oldest, officer, by=chief, outcome="suspension", suspension_days=12,
                effective_date=datetime.date.today(), reason="Sustained force allegation; prior counseling.",
            )
            # Waiting for the supervisor's review.
            self._to_review(older, intake, supervisor, investigator, not_sustained)
            # Being investigated.
            services.triage_complaint(old, by=intake, reason="Allegations checked against the narrative.")
            services.assign_investigator(old, investigator, by=supervisor, attested=True, reason="Caseload balance.")
            services.start_investigation(old, by=investigator)
            services.add_note(old, by=investigator, body="Requested body-camera footage from the unit.")
            # Referred out to another agency.
            services.refer_out(middle, by=intake, referred_to="County State's Attorney",
                               reason="Alleges a crime (bribery).",
                               public_reason="Your complaint describes a possible crime; the prosecutor reviews it.")
            # Triaged, waiting for an investigator.
            services.triage_complaint(recent, by=intake, reason="Allegations checked against the narrative.")
        self.stdout.write("Demo cases: one with final discipline, one in supervisor review, one being investigated, "
                          "one referred out, one waiting for an investigator; the rest are new.")

    @staticmethod
    def _to_review(case, intake, supervisor, investigator, disposition):
        services.triage_complaint(case, by=intake, reason="Allegations checked against the narrative.")
        services.assign_investigator(case, investigator, by=supervisor, attested=True, reason="Caseload balance.")
        services.start_investigation(case, by=investigator)
        for allegation in case.complaint.allegations.all():
            services.record_finding(case, allegation, disposition, by=investigator, reason="See interviews and video.")
        services.begin_retaliation_check(case, by=investigator)
        answers = {p.pk: {"asked": True, "notes": "Asked by phone; nothing reported."}
                   for p in services.identified_people(case)}
        services.record_retaliation_check(case, by=investigator, answers=answers)
        services.submit_for_review(case, by=investigator)
