"""The workflow rules, through the services: every path, every refusal, and history with a reason for each step."""

import datetime

import pytest
from django.utils import timezone

from complaints.history import recorded
from complaints.models import Complaint, Officer
from investigations import services
from investigations.exceptions import (
    ConflictOfInterest,
    InvalidDiscipline,
    MissingFindings,
    MissingReason,
    NotPermitted,
    RetaliationCheckMissing,
    ReviewerIsInvestigator,
    StaleCase,
    TransitionNotAllowed,
)
from investigations.models import DisciplineDecision, EncounterLog, Investigation, State
from tests.factories import sustained, unfounded, walk

pytestmark = pytest.mark.django_db


def reload(case):
    return Investigation.objects.get(pk=case.pk)


def test_every_complaint_opens_an_investigation_with_deadlines(case):
    assert case.state == State.RECEIVED
    assert case.due_at > case.complaint.received_at
    assert case.phase_due_at is not None
    assert case.history.first().history_change_reason == "complaint filed"


def test_full_path_with_sustained_finding_ends_in_discipline_and_closed(case, team, roster):
    walk(case, team, "findings_approved", disposition=sustained())
    case = reload(case)
    assert case.findings.filter(stage="approved", disposition__code="sustained").count() == 2
    services.record_final_discipline(case, roster["officer"], by=team["chief"], outcome="suspension",
                                     suspension_days=10, effective_date=datetime.date.today())
    case = reload(case)
    assert case.state == State.CLOSED
    states = [h.state for h in case.history.order_by("history_id")]
    assert states[-1] == "closed" and "supervisor_review" in states
    assert all(h.history_change_reason for h in case.history.all())


def test_nothing_sustained_closes_by_supervisor_and_chief_cannot(case, team):
    walk(case, team, "findings_approved")
    with pytest.raises(NotPermitted):
        services.close_investigation(case, by=team["chief"])
    services.close_investigation(reload(case), by=team["supervisor"])
    assert reload(case).state == State.CLOSED


def test_sustained_case_cannot_be_closed_without_discipline(case, team):
    walk(case, team, "findings_approved", disposition=sustained())
    with pytest.raises(TransitionNotAllowed):
        services.close_investigation(case, by=team["supervisor"])
    assert reload(case).state == State.FINDINGS_APPROVED


def test_return_for_more_work_keeps_every_review(case, team):
    walk(case, team, "supervisor_review")
    with pytest.raises(MissingReason):
        services.return_for_more_work(case, by=team["supervisor"], reasons=" ")
    services.return_for_more_work(case, by=team["supervisor"], reasons="Interview the witness.")
    case = reload(case)
    assert case.state == State.INVESTIGATING
    services.begin_retaliation_check(case, by=team["investigator"])
    with pytest.raises(RetaliationCheckMissing):
        services.submit_for_review(case, by=team["investigator"])
    answers = {p.pk: {"asked": True} for p in services.identified_people(case)}
    services.record_retaliation_check(case, by=team["investigator"], answers=answers)
    services.submit_for_review(case, by=team["investigator"])
    services.return_for_more_work(reload(case), by=team["other supervisor"], reasons="Still missing video.")
    assert list(case.reviews.values_list("decision", flat=True)) == ["returned", "returned"]


def test_reviewer_may_not_be_the_investigator(case, team):
    walk(case, team, "triaged")
    supervisor = team["supervisor"]
    services.assign_investigator(case, team["investigator"], by=supervisor, attested=True)
    # A supervisor who is also an investigator on this case cannot review it.
    from django.contrib.auth.models import Group
    supervisor.groups.add(Group.objects.get(name="investigator"))
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)
    services.reassign_investigator(case, supervisor, by=team["other supervisor"], attested=True, reason="load")
    services.start_investigation(case, by=supervisor)
    for allegation in case.complaint.allegations.all():
        services.record_finding(case, allegation, unfounded(), by=supervisor)
    services.begin_retaliation_check(case, by=supervisor)
    answers = {p.pk: {"asked": True} for p in services.identified_people(case)}
    services.record_retaliation_check(case, by=supervisor, answers=answers)
    services.submit_for_review(case, by=supervisor)
    with pytest.raises(ReviewerIsInvestigator):
        services.approve_findings(case, by=supervisor)
    with pytest.raises(ReviewerIsInvestigator):
        services.return_for_more_work(case, by=supervisor, reasons="x")
    assert reload(case).state == State.SUPERVISOR_REVIEW


def test_missing_findings_are_refused(case, team):
    walk(case, team, "investigating")
    first = case.complaint.allegations.first()
    services.record_finding(case, first, unfounded(), by=team["investigator"])
    services.begin_retaliation_check(case, by=team["investigator"])
    answers = {p.pk: {"asked": True} for p in services.identified_people(case)}
    services.record_retaliation_check(case, by=team["investigator"], answers=answers)
    with pytest.raises(MissingFindings):
        services.submit_for_review(case, by=team["investigator"])
    assert reload(case).state == State.RETALIATION_CHECK


def test_wrong_state_and_wrong_role_are_refused(case, team):
    with pytest.raises(TransitionNotAllowed):
        services.start_investigation(case, by=team["investigator"])
    with pytest.raises(NotPermitted):
        services.triage_complaint(case, by=team["investigator"])
    with pytest.raises(NotPermitted):
        services.close_administratively(case, by=team["intake"], reason="x", public_reason="y")
    walk(case, team, "assigned")
    with pytest.raises(NotPermitted):
        services.start_investigation(case, by=team["other investigator"])
    assert reload(case).state == State.ASSIGNED


@pytest.mark.parametrize("link", ["accused", "witness", "same unit", "chain of command", "no attestation"])
def test_conflicted_investigator_is_refused_with_the_reason(case, team, roster, link, make_user):
    walk(case, team, "triaged")
    user = make_user("investigator")
    with recorded(label="test", reason="roster link"):
        if link == "accused":
            officer = roster["officer"]
        elif link == "chain of command":
            officer = roster["sergeant"]
            officer.unit = roster["ia"]
        elif link == "same unit":
            officer = Officer.objects.create(first_name="Un", last_name="Mate", employee_id="E77",
                                             unit=roster["district"])
        else:
            officer = Officer.objects.create(first_name="Wi", last_name="Tness", employee_id="E78", unit=roster["ia"])
        officer.user = user
        officer.save()
    if link == "witness":
        with recorded(label="test", reason="witness"):
            case.witness_officers.create(officer=officer, added_by=team["supervisor"])
    with pytest.raises(ConflictOfInterest) as error:
        services.assign_investigator(case, user, by=team["supervisor"], attested=link != "no attestation")
    expected = {"accused": "is accused", "witness": "witness officer", "same unit": "same unit",
                "chain of command": "chain of command", "no attestation": "attested"}[link]
    assert expected in str(error.value)
    assert reload(case).state == State.TRIAGED and not case.assignments.exists()


def test_stale_state_is_refused_and_nothing_saved(case, team):
    first = reload(case)
    second = reload(case)
    services.triage_complaint(first, by=team["intake"], reason="first")
    with pytest.raises(StaleCase):
        services.triage_complaint(second, by=team["supervisor"], reason="second")
    with pytest.raises(StaleCase):
        services.refer_out(reload(case), by=team["supervisor"], referred_to="State police", reason="x",
                           public_reason="y", expected_state="received")
    assert reload(case).history.filter(history_change_reason__startswith="triaged").count() == 1


def test_officer_separation_mid_case_never_closes_it(case, team, roster):
    walk(case, team, "investigating")
    services.record_officer_separation(roster["officer"], by=team["investigator"], investigation=case,
                                       separation_date=datetime.date.today(), reason="resigned",
                                       notice_served=True)
    assert reload(case).state == State.INVESTIGATING
    officer = Officer.objects.get(pk=roster["officer"].pk)
    assert officer.employment_status == "separated"
    assert case.officer_separations.get().notice_served


def test_retaliation_concern_opens_a_linked_urgent_complaint(case, team, roster):
    walk(case, team, "retaliation_check")
    with recorded(label="test", reason="encounter import"):
        EncounterLog.objects.create(source_id="S-1", kind="stop", officer=roster["officer"],
                                    occurred_at=timezone.now(), subject_name="ROSA  díaz")
        EncounterLog.objects.create(source_id="S-2", kind="stop", officer=roster["officer"],
                                    occurred_at=case.complaint.received_at - datetime.timedelta(days=5),
                                    subject_name="Sam Lee")
    answers = {p.pk: {"asked": True} for p in services.identified_people(case)}
    check = services.record_retaliation_check(case, by=team["investigator"], answers=answers)
    entries = {e.party.name: e for e in check.entries.all()}
    assert entries["Rosa Díaz"].encounters_found == 1 and entries["Rosa Díaz"].contact_found
    assert entries["Sam Lee"].encounters_found == 0
    linked = check.spawned_complaint
    assert linked.urgent and linked.related_to_id == case.complaint_id
    assert linked.allegations.get().category.code == "retaliation"
    assert linked.investigation.state == State.RECEIVED


def test_portal_report_alone_covers_an_anonymous_filer(file_case, team):
    case = file_case(filer_role="anonymous", parties=[])
    with recorded(label="public filer", reason="retaliation reported"):
        case.complaint.retaliation_reports.create(description="They followed me home.")
    walk(case, team, "retaliation_check")
    check = services.record_retaliation_check(case, by=team["investigator"], answers={})
    assert check.concern_found and check.portal_reports_seen == 1
    assert check.spawned_complaint.filer_role == "anonymous"
    assert Complaint.objects.filter(related_to=case.complaint, urgent=True).count() == 1


def test_refer_out_and_administrative_close_need_reasons(case, file_case, team):
    with pytest.raises(MissingReason):
        services.refer_out(case, by=team["intake"], referred_to="State's Attorney", reason="criminal",
                           public_reason="")
    services.refer_out(case, by=team["intake"], referred_to="State's Attorney", reason="criminal",
                       public_reason="Sent to the prosecutor, who handles crimes.")
    assert reload(case).state == State.REFERRED
    other = file_case()
    services.close_administratively(other, by=team["supervisor"], reason="duplicate of C-1",
                                    public_reason="Same events as an earlier complaint.")
    assert reload(other).state == State.ADMINISTRATIVELY_CLOSED


def test_reopen_goes_back_to_the_investigator(case, team):
    walk(case, team, "findings_approved")
    services.close_investigation(case, by=team["supervisor"])
    with pytest.raises(MissingReason):
        services.reopen_investigation(reload(case), by=team["supervisor"], reason="")
    services.reopen_investigation(reload(case), by=team["supervisor"], reason="new video",
                                  public_reason="New evidence arrived.")
    case = reload(case)
    assert case.state == State.INVESTIGATING and case.investigator == team["investigator"]


def test_discipline_changes_are_new_records_pointing_at_the_original(case, team, roster):
    walk(case, team, "findings_approved", disposition=sustained())
    with pytest.raises(InvalidDiscipline):
        services.record_final_discipline(case, roster["officer"], by=team["chief"], outcome="suspension",
                                         effective_date=datetime.date.today())
    with pytest.raises(NotPermitted):
        services.record_final_discipline(case, roster["officer"], by=team["supervisor"], outcome="termination",
                                         effective_date=datetime.date.today())
    original = services.record_final_discipline(case, roster["officer"], by=team["chief"], outcome="termination",
                                                effective_date=datetime.date.today())
    change = services.record_discipline_change(original, by=team["chief"], kind="arbitration",
                                               outcome="suspension", suspension_days=30,
                                               effective_date=datetime.date.today(), reason="arbitrator award")
    original = DisciplineDecision.objects.get(pk=original.pk)
    assert original.outcome == "termination"
    assert change.changes == original
    assert services.current_discipline(original) == change


def test_deadline_policy_overrides_the_default_target(file_case, team):
    from investigations.models import DeadlinePolicy

    with recorded(by=team["administrator"] if "administrator" in team else None, label="test",
                  reason="agency sets a 10-day triage target"):
        DeadlinePolicy.objects.create(phase="triaged", target_days=10)
    case = file_case()
    services.triage_complaint(case, by=team["intake"])
    case = reload(case)
    assert (case.phase_due_at - case.state_entered_at).days == 10


def test_triage_classifies_identifies_the_officer_and_links_a_related_complaint(file_case, team, roster):
    from complaints.models import Category

    earlier = file_case().complaint
    case = file_case(officer=None, categories=("other",))
    allegation = case.complaint.allegations.get()
    services.triage_complaint(case, by=team["intake"], reason="officer identified from the vehicle number",
                              allegation_changes={allegation.pk: {"category": Category.objects.get(code="bias"),
                                                                  "officer": roster["officer"]}},
                              related_to=earlier)
    allegation.refresh_from_db()
    assert allegation.officer == roster["officer"] and allegation.category.code == "bias"
    assert Complaint.objects.get(pk=case.complaint_id).related_to == earlier
    assert allegation.history.first().history_change_reason.startswith("triaged: officer identified")
