import datetime

import pytest
from django.utils import timezone

from complaints import roles
from complaints.history import recorded
from complaints.models import Category, Disposition, Officer
from complaints.services import file_complaint
from investigations import services


@pytest.fixture
def team(staff, make_user, roster):
    """The people of a case: one user per role, plus an IA investigator on the roster and a second supervisor."""
    people = dict(staff)
    people["investigator"] = staff[roles.INVESTIGATOR]
    with recorded(label="test", reason="investigator's roster entry"):
        officer = roster["investigator"]
        officer.user = people["investigator"]
        officer.save()
    people["other investigator"] = make_user(roles.INVESTIGATOR, username="second-investigator")
    people["supervisor"] = staff[roles.SUPERVISOR]
    people["other supervisor"] = make_user(roles.SUPERVISOR, username="second-supervisor")
    people["chief"] = staff[roles.CHIEF]
    people["intake"] = staff[roles.INTAKE_COORDINATOR]
    people["auditor"] = staff[roles.AUDITOR]
    return people


@pytest.fixture
def file_case(roster):
    """File a complaint (harmed person and a witness, allegations against the patrol officer); return its case."""

    def make(narrative="The officer shoved me during a stop and called me names.", categories=("excessive-force",
             "discourtesy"), officer="officer", **fields):
        complaint, _code = file_complaint(
            narrative=narrative,
            filer_role=fields.pop("filer_role", "harmed"),
            language=fields.pop("language", "es"),
            incident_at=timezone.now() - datetime.timedelta(days=2),
            parties=fields.pop("parties", [
                {"role": "harmed", "is_filer": True, "name": "Rosa Díaz", "phone": "555-0101"},
                {"role": "witness", "name": "Sam Lee"},
            ]),
            allegations=[{"officer": roster[officer] if officer else None, "category": Category.objects.get(code=c)}
                         for c in categories],
            label="public filer",
            **fields,
        )
        return complaint.investigation

    return make


@pytest.fixture
def case(file_case):
    return file_case()


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


@pytest.fixture
def officer_in_unit(roster):
    def make(**fields):
        with recorded(label="test", reason="roster"):
            return Officer.objects.create(employee_id=f"E{Officer.objects.count() + 100}", **fields)

    return make
