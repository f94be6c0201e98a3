"""Cases walked through every path of the state machine over HTTP, as the real roles, and refusals shown."""

import datetime

import pytest
from django.utils import timezone

from complaints.history import recorded
from complaints.models import Complaint, Disposition, Message
from investigations.models import DisciplineDecision, EncounterLog, Investigation, State

pytestmark = pytest.mark.django_db


def url(case, action=None, add=None):
    ref = case.complaint.reference
    if action:
        return f"/staff/cases/{ref}/do/{action}/"
    if add:
        return f"/staff/cases/{ref}/add/{add}/"
    return f"/staff/cases/{ref}/"


def state_of(case):
    return Investigation.objects.get(pk=case.pk).state


class Walker:
    def __init__(self, client, team):
        self.client, self.team = client, team

    def as_(self, who):
        self.client.force_login(self.team[who])
        return self

    def do(self, case, action, expect=302, **data):
        data.setdefault("expected_state", state_of(case))
        response = self.client.post(url(case, action), data)
        assert response.status_code == expect, response.content.decode()[:3000]
        return response

    def add(self, case, what, expect=302, **data):
        response = self.client.post(url(case, add=what), data)
        assert response.status_code == expect, response.content.decode()[:3000]
        return response

    def triage(self, case):
        fields = {}
        for a in case.complaint.allegations.all():
            fields[f"category_{a.pk}"] = a.category_id
            fields[f"officer_{a.pk}"] = a.officer_id or ""
        self.as_("intake").do(case, "triage", reason="classified", **fields)

    def triage_and_assign(self, case):
        self.triage(case)
        self.as_("supervisor").do(case, "assign", investigator=self.team["investigator"].pk, attested="on")
        self.as_("investigator").do(case, "start")

    def findings(self, case, code):
        disposition = Disposition.objects.get(code=code)
        for a in case.complaint.allegations.all():
            self.add(case, "finding", **{"allegation_id": a.pk, f"a{a.pk}-allegation": a.pk,
                                         f"a{a.pk}-disposition": disposition.pk, f"a{a.pk}-reason": "evidence"})

    def check_and_submit(self, case, **extra):
        self.do(case, "begin_retaliation_check")
        answers = {}
        for party in case.complaint.parties.all():
            answers[f"asked_{party.pk}"] = "on"
        answers.update(extra)
        self.do(case, "retaliation_check", **answers)
        self.do(case, "submit_for_review")


@pytest.fixture
def walker(client, team):
    return Walker(client, team)


def test_sustained_path_to_discipline_and_closed(walker, case, roster, team):
    walker.triage_and_assign(case)
    walker.as_("investigator").findings(case, "sustained")
    walker.check_and_submit(case)
    walker.as_("other supervisor").do(case, "approve", reason="well supported")
    assert state_of(case) == State.FINDINGS_APPROVED
    page = walker.as_("chief").client.get("/staff/decisions/")
    assert case.complaint.reference in page.content.decode()
    walker.add(case, "discipline", officer=roster["officer"].pk, outcome="suspension", suspension_days=12,
               effective_date="2026-12-01", expected_state="findings_approved")
    assert state_of(case) == State.CLOSED
    decision = DisciplineDecision.objects.get(investigation=case)
    walker.add(case, "discipline_change", original=decision.pk, kind="grievance", outcome="written_reprimand",
               effective_date="2027-01-10", reason="grievance settlement")
    assert DisciplineDecision.objects.get(changes=decision).outcome == "written_reprimand"
    assert DisciplineDecision.objects.get(pk=decision.pk).outcome == "suspension"
    timeline = walker.client.get(url(case)).content.decode()
    assert "supervisor review → findings approved" in timeline


def test_return_then_close_then_reopen(walker, case):
    walker.triage_and_assign(case)
    walker.as_("investigator").findings(case, "not-sustained")
    walker.check_and_submit(case)
    walker.as_("supervisor").do(case, "return_for_more_work", reason="Interview the witness first.")
    assert state_of(case) == State.INVESTIGATING
    walker.as_("investigator").check_and_submit(case)
    walker.as_("supervisor").do(case, "approve")
    walker.do(case, "close", reason="nothing sustained")
    assert state_of(case) == State.CLOSED
    walker.do(case, "reopen", reason="new video", public_reason="New evidence was received.")
    assert state_of(case) == State.INVESTIGATING
    assert case.reviews.filter(decision="returned").count() == 1


def test_refer_out_by_intake(walker, case):
    walker.as_("intake").do(case, "refer_out", referred_to="County prosecutor", reason="criminal allegation",
                            public_reason="Sent to the prosecutor.")
    assert state_of(case) == State.REFERRED


def test_administrative_close_by_supervisor_only(walker, case):
    walker.as_("intake").do(case, "close_administratively", expect=403, reason="dup", public_reason="dup")
    walker.as_("supervisor").do(case, "close_administratively", reason="duplicate",
                                public_reason="Same events as an earlier complaint.")
    assert state_of(case) == State.ADMINISTRATIVELY_CLOSED


def test_officer_separation_mid_case_keeps_it_open(walker, case, roster):
    walker.triage_and_assign(case)
    walker.as_("investigator").add(case, "separation", officer=roster["officer"].pk, separation_date="2026-11-20",
                                   reason="resigned", notice_served="on")
    assert state_of(case) == State.INVESTIGATING
    page = walker.client.get(url(case)).content.decode()
    assert "The investigation continues." in page and "separated" in page


def test_retaliation_concern_over_http_opens_linked_urgent_complaint(walker, case, roster):
    walker.triage_and_assign(case)
    with recorded(label="test", reason="encounters imported"):
        EncounterLog.objects.create(source_id="A-9", kind="arrest", officer=roster["officer"],
                                    occurred_at=timezone.now(), subject_name="Sam Lee")
    walker.as_("investigator").findings(case, "unfounded")
    walker.do(case, "begin_retaliation_check")
    form = walker.client.get(url(case, "retaliation_check")).content.decode()
    assert "A-9" in form
    answers = {f"asked_{p.pk}": "on" for p in case.complaint.parties.all()}
    walker.do(case, "retaliation_check", **answers)
    linked = Complaint.objects.get(related_to=case.complaint)
    assert linked.urgent and linked.allegations.get().category.code == "retaliation"
    assert linked.reference in walker.client.get(url(case)).content.decode()


@pytest.mark.parametrize("who,action,expected", [
    ("investigator", "triage", 403), ("chief", "triage", 403), ("auditor", "triage", 403),
    ("intake", "start", 403), ("supervisor", "approve", 409), ("supervisor", "reopen", 409),
])
def test_wrong_role_or_state_is_refused(walker, case, who, action, expected):
    response = walker.as_(who).client.post(url(case, action), {"expected_state": "received", "reason": "x"})
    # Intake and the supervisor may act on the case, but not in this state; others may not see it or act.
    assert response.status_code in (expected, 404)
    if who in ("chief", "auditor"):
        assert response.status_code == 403
    assert state_of(case) == State.RECEIVED


def test_missing_retaliation_check_and_findings_shown_on_the_page(walker, case):
    walker.triage_and_assign(case)
    walker.as_("investigator").do(case, "begin_retaliation_check")
    response = walker.do(case, "submit_for_review", expect=409)
    assert "anti-retaliation check" in response.content.decode()
    page = walker.client.get(url(case)).content.decode()
    assert "No finding yet" in page
    answers = {f"asked_{p.pk}": "on" for p in case.complaint.parties.all()}
    walker.do(case, "retaliation_check", **answers)
    response = walker.do(case, "submit_for_review", expect=409)
    assert "no finding yet" in response.content.decode()
    assert state_of(case) == State.RETALIATION_CHECK


def test_reviewer_equal_to_investigator_is_refused_over_http(walker, case, team):
    from django.contrib.auth.models import Group

    supervisor = team["supervisor"]
    supervisor.groups.add(Group.objects.get(name="investigator"))
    walker.triage(case)
    walker.as_("other supervisor").do(case, "assign", investigator=supervisor.pk, attested="on")
    walker.as_("supervisor").do(case, "start")
    walker.findings(case, "unfounded")
    walker.check_and_submit(case)
    response = walker.do(case, "approve", expect=403)
    assert state_of(case) == State.SUPERVISOR_REVIEW
    response = walker.client.get(url(case, "approve"))
    assert response.status_code == 403


def test_conflicted_assignment_says_why_and_keeps_the_form(walker, case, roster, make_user):
    investigator = make_user("investigator")
    with recorded(label="test", reason="roster"):
        officer = roster["sergeant"]
        officer.user = investigator
        officer.save()
    walker.triage(case)
    response = walker.as_("supervisor").do(case, "assign", expect=400, investigator=investigator.pk,
                                           attested="on", reason="closest to the district")
    text = response.content.decode()
    assert "chain of command" in text and "same unit" in text
    assert "closest to the district" in text
    response = walker.do(case, "assign", expect=400, investigator=walker.team["investigator"].pk)
    assert "attested" in response.content.decode()
    assert state_of(case) == State.TRIAGED


def test_stale_form_gets_a_clear_message_and_keeps_what_was_typed(walker, case, client, team):
    walker.triage(case)
    # The supervisor opened "close administratively" while the case was still 'received'...
    response = walker.as_("supervisor").do(case, "close_administratively", expect=409,
                                           expected_state="received", reason="Typed a long reason here",
                                           public_reason="Public words")
    text = response.content.decode()
    assert "Someone else changed this case" in text
    assert "Typed a long reason here" in text and "Public words" in text
    assert state_of(case) == State.TRIAGED


def test_messages_and_translations_from_the_case_page(walker, case):
    walker.triage_and_assign(case)
    walker.as_("investigator").add(case, "message", body="¿Puede llamarme?", language="es")
    message = Message.objects.get(complaint=case.complaint)
    assert message.direction == "to_complainant" and message.language == "es"
    walker.add(case, "translation", language="en", text="The officer shoved me.")
    page = walker.client.get(url(case)).content.decode()
    assert "The officer shoved me." in page and "Staff translation (en) by" in page
    walker.add(case, "note", body="Called the witness.")
    walker.add(case, "task", title="Get body-cam video")
    walker.add(case, "interview", interviewee="Officer Patrol", interviewee_role="accused",
               held_at="2026-11-20T10:00", kind="in_person", rights_notice="garrity", summary="Denied.")
    assert case.interviews.get().rights_notice == "garrity"
    walker.as_("chief").add(case, "note", expect=403, body="read-only role")
    assert case.notes.count() == 1


def test_deadline_overdue_is_highlighted_and_never_closes(walker, case, team):
    walker.triage_and_assign(case)
    with recorded(label="test", reason="clock moved"):
        case = Investigation.objects.get(pk=case.pk)
        case.phase_due_at = timezone.now() - datetime.timedelta(days=1)
        case.save()
    page = walker.as_("investigator").client.get("/staff/caseload/").content.decode()
    assert 'class="overdue"' in page
    board = walker.as_("supervisor").client.get("/staff/board/")
    overdue = {u.username: u.overdue_cases for u in board.context["investigators"]}
    assert overdue[team["investigator"].username] == 1
    assert state_of(case) == State.INVESTIGATING
