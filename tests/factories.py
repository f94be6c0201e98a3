"""Helpers every test folder shares: walk a case through the workflow's services, as the right people.

Fixtures that build people and cases are in tests/conftest.py; tests import these functions from here, never
from another folder's conftest.
"""

import datetime
import io

from django.utils import timezone
from pypdf import PdfReader

from complaints.models import Disposition
from investigations import services


def sustained():
    return Disposition.objects.get(code="sustained")


def unfounded():
    return Disposition.objects.get(code="unfounded")


def walk(case, team, to, disposition=None):
    """Move `case` through the services to state `to`, as the right people (for tests of later steps)."""
    order = ["triaged", "assigned", "investigating", "retaliation_check", "supervisor_review", "findings_approved"]
    steps = order[: order.index(to) + 1]
    inv = team["investigator"]
    for step in steps:
        if step == "triaged":
            services.triage_complaint(case, by=team["intake"], reason="ok")
        elif step == "assigned":
            services.assign_investigator(case, inv, by=team["supervisor"], attested=True)
        elif step == "investigating":
            services.start_investigation(case, by=inv)
        elif step == "retaliation_check":
            for allegation in case.complaint.allegations.all():
                services.record_finding(case, allegation, disposition or unfounded(), by=inv)
            services.begin_retaliation_check(case, by=inv)
        elif step == "supervisor_review":
            answers = {p.pk: {"asked": True} for p in services.identified_people(case)}
            services.record_retaliation_check(case, by=inv, answers=answers)
            services.submit_for_review(case, by=inv)
        elif step == "findings_approved":
            services.approve_findings(case, by=team["supervisor"])
    return case


def decide(investigation, people, officer, *, outcome, days=None, disposition=None, effective_date=None, reason=""):
    """Walk the case to approved findings (sustained unless told) and record the chief's final discipline."""
    walk(investigation, people, "findings_approved", disposition=disposition or sustained())
    return services.record_final_discipline(
        investigation, officer, by=people["chief"], outcome=outcome, suspension_days=days,
        effective_date=effective_date or datetime.date(2026, 3, 2), reason=reason or "decided on the record",
    )


def determination_day(decision):
    return timezone.localdate(decision.decided_at)


def record_findings(investigation, people, dispositions):
    """Walk to approved findings with a finding per allegation: {allegation pk: Disposition}."""
    walk(investigation, people, "investigating")
    inv = people["investigator"]
    for allegation in investigation.complaint.allegations.all():
        services.record_finding(investigation, allegation, dispositions[allegation.pk], by=inv)
    services.begin_retaliation_check(investigation, by=inv)
    answers = {p.pk: {"asked": True} for p in services.identified_people(investigation)}
    services.record_retaliation_check(investigation, by=inv, answers=answers)
    services.submit_for_review(investigation, by=inv)
    services.approve_findings(investigation, by=people["supervisor"])
    return investigation


def pdf_text(content):
    """The text of every page of a PDF."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeezed(text):
    """`text` without any whitespace (PDF text extraction breaks lines and words where the layout does)."""
    return "".join(text.split())
