"""Raw SQL against every table of every app, with a row in each: DELETE (and history UPDATE, and TRUNCATE on
PostgreSQL) is refused, and no row goes missing. A whole case is walked through the workflow to fill them."""

import datetime
import io

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from complaints.history import recorded
from complaints.models import Disposition, FilerDemographics, ReferenceCounter
from early_intervention import services as early_intervention
from early_intervention.models import Alert
from investigations import search as case_search
from investigations import services
from investigations.exceptions import ConflictOfInterest
from investigations.models import DeadlinePolicy, EncounterLog
from notices import services as notices
from publicdata.releases import publish as publish_release
from referrals import services as referrals
from referrals.models import Referral
from staffnotices import services as staff_notices
from tests.factories import walk

from .test_purge_protection import history_tables, our_apps, record_tables, refused, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_table_filled(complaint_with_everything, case, team, roster):
    investigator, supervisor, chief = team["investigator"], team["supervisor"], team["chief"]
    officer = roster["officer"]
    with recorded(by=team["administrator"], reason="agency sets a 60-day investigation target"):
        DeadlinePolicy.objects.create(phase="investigating", target_days=60)
    with recorded(label="test", reason="encounter log import"):
        EncounterLog.objects.create(source_id="S-1", kind="stop", occurred_at=timezone.now(), officer=officer,
                                    subject_name="Rosa Díaz")
    # PostgreSQL numbers complaints from a sequence (migration 0004); the counter SQLite uses still needs a row here.
    ReferenceCounter.objects.get_or_create(year=1999)
    walk(case, team, "investigating")
    with pytest.raises(ConflictOfInterest):
        services.reassign_investigator(case, team["other investigator"], by=supervisor, attested=False,
                                       reason="caseload")
    services.add_witness_officer(case, roster["sergeant"], by=investigator)
    services.record_interview(case, by=investigator, interviewee="Rosa Díaz", interviewee_role="complainant",
                              held_at=timezone.now(), kind="phone", rights_notice="n/a")
    services.add_note(case, by=investigator, body="Body-camera footage requested.")
    item = services.add_physical_evidence(case, by=investigator, description="DVD of body-worn camera footage",
                                          storage_location="Locker 4", seal_number="S-1", source="body_worn_camera",
                                          received_from_name="Evidence custodian")
    services.record_custody(case, by=investigator, item=item, kind="checked_out", to_user=supervisor)
    services.link_complaints(case, complaint_with_everything, by=supervisor, kind="related_to", reason="same stop")
    services.add_task(case, by=investigator, title="Canvass the block")
    services.complete_task(case.tasks.get(), by=investigator)  # a case closes only with its tasks settled
    for allegation in case.complaint.allegations.all():
        services.record_finding(case, allegation, Disposition.objects.get(code="sustained"), by=investigator)
    services.begin_retaliation_check(case, by=investigator)
    answers = {p.pk: {"asked": True} for p in services.identified_people(case)}
    check = services.record_retaliation_check(case, by=investigator, answers=answers)
    assert check.spawned_complaint is not None  # the stop in the encounter log is a concern
    services.submit_for_review(case, by=investigator)
    services.approve_findings(case, by=supervisor)
    decision = services.record_final_discipline(case, officer, by=chief, outcome="suspension", suspension_days=15,
                                                effective_date=datetime.date.today(), reason="unlawful force")
    services.record_discipline_change(decision, by=chief, kind="arbitration", outcome="suspension",
                                      suspension_days=12, effective_date=datetime.date.today(), reason="award")
    services.record_officer_separation(officer, by=supervisor, investigation=case,
                                       separation_date=datetime.date.today(), reason="resigned")
    referral = Referral.objects.get(investigation=case)
    referrals.export_referral(referral, "json", by=team["POST liaison"])
    services.export_case_file(case, by=supervisor)
    case_search.save_search(by=supervisor, name="Sustained force", query="finding=sustained")
    notices.ask_for_notices(case.complaint, email="filer@example.org", language="es")
    investigator.email = "investigator@agency.example"
    investigator.save()
    staff_notices.set_preference(investigator, language="es", delivery="digest")
    assert staff_notices.send_digests() == 1  # the notifications of the walk are unread
    with recorded(label="test", reason="voluntary demographics"):
        FilerDemographics.objects.create(complaint=case.complaint, age_band="30_39", gender="prefer_not")
    publish_release("2025Q1", label="test")
    _early_intervention_answered(roster["commander"], team)  # an officer still serving (the accused resigned)
    return case


def _early_intervention_answered(officer, team):
    """Imported events that trip a patrol threshold, and the alert answered the whole way (early_intervention)."""
    now = timezone.now()
    rows = [f"rms,purge-{n},use_of_force,{(now - datetime.timedelta(days=3 * n + 1)).isoformat()},"
            f"{officer.employee_id},yes,x" for n in range(8)]
    header = "source,source_id,event_type,occurred_at,officer_employee_id,final,description"
    early_intervention.import_officer_events(io.StringIO("\n".join([header, *rows]) + "\n"), name="events.csv",
                                             evaluate=True)
    alert = Alert.objects.filter(officer=officer).first()
    assert alert is not None, "the events tripped no rule"
    supervisor, chief = team["supervisor"], team["chief"]
    early_intervention.answer_alert(alert, "begin_review", by=supervisor)
    early_intervention.answer_alert(alert, "escalate", by=supervisor, reason="the commander decides")
    early_intervention.answer_alert(alert, "plan_intervention", by=chief)
    today = timezone.localdate()
    intervention = early_intervention.record_intervention(
        alert, by=chief, kind="counseling", given_by="Sgt. Russo", given_on=today,
        follow_up_due=today + datetime.timedelta(days=30))
    early_intervention.review_follow_up(intervention, by=supervisor, outcome="resolved", notes="attended")


def test_the_referrals_app_is_covered():
    assert {"complaints", "investigations", "intake", "referrals"} <= our_apps()
    assert "referrals_referral" in record_tables() and "referrals_historicalexportlog" in history_tables()


def test_every_table_of_every_app_has_a_row_and_refuses_raw_deletes(every_table_filled):
    before = row_counts()
    empty = sorted(t for t, n in before.items() if n == 0)
    assert empty == [], f"tables without a row, so untested here: {empty}"
    for table in record_tables() + history_tables():
        assert refused(f'DELETE FROM "{table}"'), f"DELETE on {table} was not refused"
    assert row_counts() == before


def test_every_history_and_log_table_refuses_raw_updates(every_table_filled):
    before = row_counts()
    logs = {"EvidenceAccess", "ExportLog", "CaseFileExport", "RefusedAssignment"}
    append_only = history_tables() + [m._meta.db_table for m in apps.get_models() if m.__name__ in logs]
    for table in append_only:
        column = "history_change_reason" if table in history_tables() else "id"
        value = "'rewritten'" if column == "history_change_reason" else "id"
        assert refused(f'UPDATE "{table}" SET {column} = {value}'), f"UPDATE on {table} was not refused"
    assert row_counts() == before


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_every_table_refuses_truncate_on_postgresql(every_table_filled):
    before = row_counts()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in record_tables() + history_tables():
        assert refused(f'TRUNCATE "{table}" CASCADE'), table
    assert row_counts() == before
