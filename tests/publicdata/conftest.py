import datetime

import pytest
from django.utils import timezone

from complaints import roles
from complaints.models import Category, Disposition
from complaints.services import file_complaint
from investigations import services

QUARTER = "2026Q2"


def walk_to_closure(case, staff, disposition_code, *, discipline=None):
    """Triage, assign, investigate, review and close `case` with one disposition on every allegation."""
    intake, supervisor = staff[roles.INTAKE_COORDINATOR], staff[roles.SUPERVISOR]
    investigator, chief = staff[roles.INVESTIGATOR], staff[roles.CHIEF]
    disposition = Disposition.objects.get(code=disposition_code)
    services.triage_complaint(case, by=intake, reason="checked")
    services.assign_investigator(case, investigator, by=supervisor, attested=True, reason="caseload")
    services.start_investigation(case, by=investigator)
    for allegation in case.complaint.allegations.all():
        services.record_finding(case, allegation, disposition, by=investigator, reason="evidence")
    services.begin_retaliation_check(case, by=investigator)
    answers = {p.pk: {"asked": True, "notes": "nothing"} for p in services.identified_people(case)}
    services.record_retaliation_check(case, by=investigator, answers=answers)
    services.submit_for_review(case, by=investigator)
    services.approve_findings(case, by=supervisor, reasons="ok")
    if disposition.is_sustained:
        outcome, days = discipline or ("written_reprimand", None)
        officer = case.complaint.allegations.first().officer
        services.record_final_discipline(case, officer, by=chief, outcome=outcome, suspension_days=days,
                                         effective_date=datetime.date.today(), reason="decided")
    else:
        services.close_investigation(case, by=supervisor, reason="nothing sustained")


@pytest.fixture
def quarter(roster, staff, settings):
    """Complaints received in 2026Q2 (channels, roles, languages, categories, findings), threshold 3."""
    settings.PUBLIC_DATA_THRESHOLD = 3
    force, rude = Category.objects.get(code="excessive-force"), Category.objects.get(code="discourtesy")
    bias = Category.objects.get(code="bias")
    start = timezone.make_aware(datetime.datetime(2026, 4, 2, 10))
    plan = (
        [("web", "harmed", "en", force)] * 5 + [("web", "anonymous", "es", rude)] * 4
        + [("phone", "harmed", "es", force)] * 3 + [("mail", "third_party", "en", bias)]
    )
    cases = []
    for i, (channel, role, language, category) in enumerate(plan):
        complaint, _code = file_complaint(
            narrative=f"Complaint number {i} with a detail only this filer knows.", filer_role=role,
            language=language, channel=channel, district="D1" if i % 2 else "D2",
            received_at=start + datetime.timedelta(days=i),
            allegations=[{"officer": roster["officer"], "category": category,
                          "bias_characteristic": "race" if category == bias else ""}],
            label="public filer",
        )
        cases.append(complaint.investigation)
    walk_to_closure(cases[0], staff, "sustained", discipline=("suspension", 12))
    walk_to_closure(cases[1], staff, "unfounded")
    walk_to_closure(cases[5], staff, "not-sustained")
    return {"period": QUARTER, "cases": cases, "staff": staff}
