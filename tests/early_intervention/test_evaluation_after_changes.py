"""Evaluation follows every change the rules count (for the officers it concerns), and runs on a schedule."""

import datetime
import io

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from complaints.history import recorded
from complaints.models import Category
from complaints.services import file_complaint, report_retaliation
from config.celery import app
from early_intervention import tasks
from early_intervention.models import Alert
from investigations.models import Investigation
from tests.factories import record_findings, sustained

from .conftest import event_rows


def file_against(officer, category="excessive-force", days_ago=10):
    complaint, _code = file_complaint(
        narrative="He pushed me.", filer_role="anonymous", language="en",
        received_at=timezone.now() - datetime.timedelta(days=days_ago),
        allegations=[{"officer": officer, "category": Category.objects.get(code=category)}], label="public filer",
    )
    return complaint


def alerts_for(officer):
    return sorted(Alert.objects.filter(officer=officer).values_list("rule__code", flat=True))


def test_filing_the_complaint_that_crosses_the_patrol_threshold_raises_the_alert_at_once(force, evaluate_at_once):
    # The seeded rules: three complaints in a year flag a patrol officer, five a tactical one.
    for days_ago in (10, 40):
        file_against(force["p1"], days_ago=days_ago)
        file_against(force["t1"], days_ago=days_ago)
    assert alerts_for(force["p1"]) == []
    third = file_against(force["p1"])
    file_against(force["t1"])
    [alert] = Alert.objects.filter(officer=force["p1"])
    assert alert.rule.code == "patrol-complaints" and f"complaint:{third.pk}" in alert.triggers
    assert alerts_for(force["t1"]) == []


def test_the_same_events_never_raise_a_second_alert(force, evaluate_at_once):
    for days_ago in (10, 20, 30):
        file_against(force["p1"], days_ago=days_ago)
    assert alerts_for(force["p1"]) == ["patrol-complaints"]
    call_command("evaluate_early_intervention", stdout=io.StringIO())
    call_command("evaluate_early_intervention", stdout=io.StringIO())
    assert alerts_for(force["p1"]) == ["patrol-complaints"]


def test_evaluation_after_a_change_looks_only_at_the_officers_it_concerns(force, evaluate_at_once, import_events,
                                                                          make_rule, only_rules):
    make_rule("force", indicators=["event:use_of_force"], threshold_count=3)
    make_rule("complaints", threshold_count=1)
    import_events(event_rows(force["p2"], "use_of_force", [1, 2, 3]))  # imported without evaluating
    file_against(force["p1"])
    assert alerts_for(force["p1"]) == ["test-complaints"] and alerts_for(force["p2"]) == []
    call_command("evaluate_early_intervention", stdout=io.StringIO())
    assert alerts_for(force["p2"]) == ["test-force"]


def test_an_officer_named_at_triage_is_evaluated(evaluate_at_once, team, roster, client):
    complaints = []
    for days_ago in (10, 20, 30):
        complaint, _code = file_complaint(
            narrative="An officer shoved me.", filer_role="anonymous", language="en",
            received_at=timezone.now() - datetime.timedelta(days=days_ago), label="public filer",
            allegations=[{"category": Category.objects.get(code="excessive-force"), "officer_name_given": "Cy"}],
        )
        complaints.append(complaint)
    client.force_login(team["intake"])
    for complaint in complaints:
        assert alerts_for(roster["officer"]) == []
        [allegation] = complaint.allegations.all()
        response = client.post(f"/staff/cases/{complaint.reference}/do/triage/", {
            "expected_state": "received", "reason": "officer identified from the star number",
            f"category_{allegation.pk}": allegation.category_id, f"officer_{allegation.pk}": roster["officer"].pk})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert alerts_for(roster["officer"]) == ["patrol-complaints"]


def test_a_retaliation_report_from_the_portal_is_evaluated(force, evaluate_at_once):
    complaint = file_against(force["t2"])
    assert alerts_for(force["t2"]) == []
    report_retaliation(complaint, "A patrol car waits outside my house every night.")
    [alert] = Alert.objects.filter(officer=force["t2"])
    assert alert.rule.code == "retaliation"
    assert alert.triggers == [f"retaliation:{complaint.retaliation_reports.get().pk}"]


def test_approved_sustained_findings_are_evaluated(evaluate_at_once, team, roster):
    # Two sustained findings in two years flag any officer (a seeded rule): the second approval raises the alert.
    for expected in ([], ["sustained-findings"]):
        case = Investigation.objects.get(complaint=file_against(roster["officer"]))
        record_findings(case, team, {a.pk: sustained() for a in case.complaint.allegations.all()})
        assert alerts_for(roster["officer"]) == expected


def test_by_default_a_background_job_evaluates_once_the_action_commits(force, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.EI_EVALUATE_IN_BACKGROUND = True
    for days_ago in (10, 20):
        file_against(force["p1"], days_ago=days_ago)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the job runs in this process instead of on a worker
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            file_against(force["p1"])
        assert alerts_for(force["p1"]) == [], "nothing is evaluated before the filing commits"
        for callback in callbacks:
            callback()
    finally:
        app.conf.task_always_eager = eager
    assert alerts_for(force["p1"]) == ["patrol-complaints"]


def test_the_scheduler_runs_the_whole_evaluation(force, import_events):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.evaluate_all.name]
    assert entry["schedule"] <= 24 * 3600
    assert tasks.evaluate_all.name in app.tasks
    # Two patrol officers with five uses of force each: the patrol threshold, not the peer rule (neither is above
    # the others).
    import_events(event_rows(force["p3"], "use_of_force", [1, 2, 3, 4, 5])
                  + event_rows(force["p4"], "use_of_force", [1, 2, 3, 4, 5]))
    assert tasks.evaluate_all() == 2
    assert alerts_for(force["p3"]) == alerts_for(force["p4"]) == ["patrol-force"]
    assert tasks.evaluate_all() == 0


def test_alerts_raised_in_bulk_keep_the_history_chain_intact(force, import_events):
    rows = []
    for key in ("p1", "p2", "p3", "p4", "p5"):
        rows += event_rows(force[key], "use_of_force", [1, 2, 3, 4, 5])
    import_events(rows, evaluate=True)
    alerts = Alert.objects.filter(rule__code="patrol-force")
    assert alerts.count() == 5
    for alert in alerts:
        [row] = alert.history.all()
        assert row.history_type == "+"
        assert row.history_change_reason == "early-intervention rule patrol-force v1 evaluated"
    out = io.StringIO()
    call_command("verify_history", stdout=out)
    assert "History intact" in out.getvalue()
    with recorded(label="test", reason="an alert changed after the bulk insert"):
        alert = alerts.first()
        alert.due_at = timezone.now()
        alert.save()
    call_command("verify_history", stdout=io.StringIO())


def test_a_reimport_of_the_same_events_raises_nothing_new(force, import_events):
    rows = event_rows(force["p4"], "use_of_force", [1, 2, 3, 4, 5]) + event_rows(force["p5"], "use_of_force",
                                                                                  [1, 2, 3, 4, 5])
    import_events(rows, evaluate=True)
    assert alerts_for(force["p4"]) == alerts_for(force["p5"]) == ["patrol-force"]
    assert import_events(rows, evaluate=True) == (0, 0, 10)
    assert alerts_for(force["p4"]) == alerts_for(force["p5"]) == ["patrol-force"]
