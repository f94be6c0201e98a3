import datetime

import pytest
from django.utils import timezone

from complaints import roles
from complaints.history import recorded
from complaints.models import Category
from complaints.services import file_complaint
from investigations import services
from tests.investigations import conftest as workflow

# The workflow's own fixtures and helpers: cases here go through the same services, as the same people.
team, case, file_case = workflow.team, workflow.case, workflow.file_case
walk, sustained, unfounded = workflow.walk, workflow.sustained, workflow.unfounded


@pytest.fixture(autouse=True)
def agency(settings):
    settings.AGENCY_NAME = "Springfield Police Department"
    settings.AGENCY_ORI = "IL0840200"
    return settings.AGENCY_NAME


@pytest.fixture
def liaison(team):
    return team[roles.POST_LIAISON]


@pytest.fixture
def certified(roster):
    """The accused patrol officer, with a POST certification number."""
    officer = roster["officer"]
    with recorded(label="test", reason="certification number on the roster"):
        officer.post_certification_number = "IL-2011-48213"
        officer.save()
    return officer


def decide(investigation, people, officer, *, outcome, days=None, disposition=None, effective_date=None, reason=""):
    """Walk the case to approved findings (sustained unless told) and record the chief's final discipline."""
    walk(investigation, people, "findings_approved", disposition=disposition or sustained())
    return services.record_final_discipline(
        investigation, officer, by=people["chief"], outcome=outcome, suspension_days=days,
        effective_date=effective_date or datetime.date(2026, 3, 2), reason=reason or "decided on the record",
    )


def determination_day(decision):
    return timezone.localdate(decision.decided_at)


@pytest.fixture
def file_case_against(roster):
    """File a complaint with allegations against several officers: [(officer key, category code), ...]."""

    def make(pairs, narrative="Two officers searched my car and one of them hit me."):
        complaint, _code = file_complaint(
            narrative=narrative, filer_role="harmed", language="en",
            incident_at=timezone.now() - datetime.timedelta(days=2),
            parties=[{"role": "harmed", "is_filer": True, "name": "Rosa Díaz", "phone": "555-0101"}],
            allegations=[{"officer": roster[key], "category": Category.objects.get(code=code)} for key, code in pairs],
            label="public filer",
        )
        return complaint.investigation

    return make


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

