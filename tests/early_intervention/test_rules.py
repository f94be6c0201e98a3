"""Threshold and peer-comparison rules: counts, window edges, peer groups, versions and idempotent evaluation."""

import datetime

from django.utils import timezone

from complaints.history import recorded
from early_intervention import services
from early_intervention.evaluation import evaluate, percentile, rules_in_force
from early_intervention.models import Alert, OfficerEvent

from .conftest import event_rows


def alerts_of(rule_code):
    return Alert.objects.filter(rule__code=rule_code)


def test_a_threshold_rule_fires_at_its_count_and_names_the_version_and_the_events(force, complain, make_rule,
                                                                                  only_rules):
    rule = make_rule("complaints", threshold_count=3, assignment_type="patrol")
    first = [complain(force["p1"], days_ago=d) for d in (5, 50)]
    assert evaluate() == []
    third = complain(force["p1"], days_ago=100)
    complain(force["p2"], days_ago=5)
    [alert] = evaluate()
    assert alert.rule == rule and alert.officer == force["p1"] and alert.event_count == 3
    assert sorted(alert.triggers) == sorted(f"complaint:{c.pk}" for c in [*first, third])
    assert alert.state == "new" and alert.due_at > alert.raised_at


def test_the_window_counts_events_after_its_start_and_up_to_now(force, import_events, make_rule, only_rules):
    now = timezone.now()
    make_rule("force", indicators=["event:use_of_force"], threshold_count=2, window_days=30)
    start = now - datetime.timedelta(days=30)
    rows = [f"rms,a,use_of_force,{start.isoformat()},P1,yes,on the edge",
            f"rms,b,use_of_force,{(start + datetime.timedelta(seconds=1)).isoformat()},P1,yes,inside",
            f"rms,c,use_of_force,{(now + datetime.timedelta(days=1)).isoformat()},P1,yes,future"]
    import_events(rows)
    assert evaluate(now=now) == []
    import_events([f"rms,d,use_of_force,{now.isoformat()},P1,yes,now"])
    [alert] = evaluate(now=now)
    refs = {OfficerEvent.objects.get(source_id=s).pk for s in ("b", "d")}
    assert alert.triggers == sorted(f"event:{pk}" for pk in refs)


def test_a_patrol_threshold_does_not_apply_to_tactical_officers(force, import_events, make_rule, only_rules):
    make_rule("patrol-force", indicators=["event:use_of_force"], threshold_count=5, window_days=180,
              assignment_type="patrol")
    make_rule("tactical-force", indicators=["event:use_of_force"], threshold_count=12, window_days=180,
              assignment_type="tactical")
    import_events(event_rows(force["p1"], "use_of_force", [1, 2, 3, 4, 5, 6])
                  + event_rows(force["t1"], "use_of_force", [1, 2, 3, 4, 5, 6]))
    raised = evaluate()
    assert [(a.officer, a.rule.code) for a in raised] == [(force["p1"], "test-patrol-force")]


def test_a_unit_rule_only_looks_at_that_unit(force, complain, make_rule, only_rules):
    make_rule("tac-unit", threshold_count=1, unit=force["tac"])
    complain(force["p1"])
    complain(force["t2"])
    assert [a.officer for a in evaluate()] == [force["t2"]]


def test_a_peer_rule_flags_officers_above_the_percentile_with_the_minimum_count(force, import_events, make_rule,
                                                                                only_rules):
    make_rule("peers", kind="peer", indicators=["event:use_of_force"], percentile=75, minimum_count=3,
              assignment_type="patrol")
    counts = {"p1": 1, "p2": 1, "p3": 2, "p4": 2, "p5": 6}
    for key, count in counts.items():
        import_events(event_rows(force[key], "use_of_force", list(range(1, count + 1))))
    # The tactical officers' many events do not change the patrol peer group.
    import_events(event_rows(force["t1"], "use_of_force", list(range(1, 20))))
    [alert] = evaluate()
    assert alert.officer == force["p5"] and alert.peer_value == percentile([1, 1, 2, 2, 6], 75) == 2.0


def test_a_peer_rule_never_flags_below_the_minimum_count(force, import_events, make_rule, only_rules):
    make_rule("peers", kind="peer", indicators=["event:use_of_force"], percentile=75, minimum_count=3,
              assignment_type="patrol")
    import_events(event_rows(force["p5"], "use_of_force", [1, 2]))
    assert evaluate() == []


def test_only_approved_sustained_findings_retaliation_and_categories_count(force, complain, make_rule, only_rules):
    make_rule("retaliation", indicators=["retaliation_concern", "allegation:retaliation"], threshold_count=2)
    complaint = complain(force["p1"])
    complain(force["p1"], category="retaliation")
    assert evaluate() == []
    with recorded(label="test", reason="portal report"):
        complaint.retaliation_reports.create(description="They parked outside my house.")
    [alert] = evaluate()
    assert {t.split(":")[0] for t in alert.triggers} == {"retaliation", "allegation"}


def test_the_newest_version_in_force_is_used_and_a_retired_rule_stops(force, complain, make_rule, only_rules):
    make_rule("complaints", threshold_count=1)
    make_rule("complaints", version=2, threshold_count=2, effective_from=datetime.date(2001, 1, 1))
    future = timezone.localdate() + datetime.timedelta(days=30)
    make_rule("complaints", version=3, threshold_count=1, retired=True, effective_from=future)
    assert [r.version for r in rules_in_force() if r.code == "test-complaints"] == [2]
    complain(force["p1"])
    assert evaluate() == []
    complain(force["p1"])
    [alert] = evaluate()
    assert alert.rule.version == 2
    assert [r.code for r in rules_in_force(future) if r.code == "test-complaints"] == []


def test_evaluating_again_never_raises_a_second_alert_for_the_same_events(force, complain, make_rule, only_rules,
                                                                           supervisor):
    make_rule("complaints", threshold_count=1)
    complain(force["p1"])
    [alert] = evaluate()
    assert evaluate() == []
    complain(force["p1"])
    assert evaluate() == [], "an open alert for the rule and officer is not raised again"
    services.answer_alert(alert, "false_positive", by=supervisor, reason="Same incident filed twice.")
    [second] = evaluate()
    assert second.event_count == 2
    services.answer_alert(second, "no_action_needed", by=supervisor, reason="Reviewed.")
    assert evaluate() == [], "a closed alert's events never raise another"
    assert alerts_of("test-complaints").count() == 2
