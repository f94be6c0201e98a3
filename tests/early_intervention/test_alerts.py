"""Alerts someone must answer: every transition, every refusal, interventions and follow-up reviews."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import roles
from complaints.history import recorded
from early_intervention import services
from early_intervention.evaluation import evaluate
from early_intervention.exceptions import InvalidInput, MissingReason, NotPermitted, TransitionNotAllowed
from early_intervention.models import Alert, AlertDecision, FollowUpReview


@pytest.fixture
def alert(force, complain, make_rule, only_rules):
    make_rule("complaints", threshold_count=1)
    complain(force["p1"])
    [raised] = evaluate()
    return raised


def intervene(alert, by, **fields):
    today = timezone.localdate()
    values = {"kind": "counseling", "given_by": "Sgt. Russo", "given_on": today,
              "follow_up_due": today + datetime.timedelta(days=30)}
    values.update(fields)
    return services.record_intervention(alert, by=by, **values)


def test_the_whole_way_new_review_chain_of_command_pending_monitoring_resolved(alert, supervisor, staff):
    chief = staff[roles.CHIEF]
    services.answer_alert(alert, "begin_review", by=supervisor)
    services.answer_alert(alert, "escalate", by=supervisor, reason="Second alert this year; the commander decides.")
    services.answer_alert(alert, "plan_intervention", by=chief)
    intervention = intervene(alert, chief, kind="mental_health_referral")
    assert alert.state == "monitoring" and intervention.officer == alert.officer
    services.review_follow_up(intervention, by=supervisor, outcome="resolved", notes="Attended; doing well.")
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert [(d.from_state, d.to_state) for d in AlertDecision.objects.filter(alert=alert)] == [
        ("new", "supervisor_review"), ("supervisor_review", "chain_of_command_review"),
        ("chain_of_command_review", "intervention_pending"), ("intervention_pending", "monitoring"),
        ("monitoring", "resolved")]


@pytest.mark.parametrize("action", ["false_positive", "no_action_needed"])
def test_closing_without_intervention_needs_a_written_reason(alert, supervisor, action):
    with pytest.raises(MissingReason):
        services.answer_alert(alert, action, by=supervisor, reason="   ")
    alert.refresh_from_db()
    assert alert.state == "new"
    services.answer_alert(alert, action, by=supervisor, reason="The events were one incident reported three times.")
    assert Alert.objects.get(pk=alert.pk).state == action
    assert AlertDecision.objects.get(alert=alert).reason.startswith("The events were")


def test_a_follow_up_review_can_keep_monitoring_until_a_new_date(alert, supervisor):
    services.answer_alert(alert, "begin_review", by=supervisor)
    intervention = intervene(alert, supervisor, kind="peer_support")
    with pytest.raises(InvalidInput):
        services.review_follow_up(intervention, by=supervisor, outcome="continue", notes="Not yet.")
    later = timezone.localdate() + datetime.timedelta(days=60)
    services.review_follow_up(intervention, by=supervisor, outcome="continue", notes="Not yet.",
                              next_review_due=later)
    assert Alert.objects.get(pk=alert.pk).state == "monitoring"
    assert FollowUpReview.objects.get().next_review_due == later


def test_wrong_state_and_bad_input_are_refused(alert, supervisor):
    with pytest.raises(TransitionNotAllowed):
        services.answer_alert(alert, "escalate", by=supervisor, reason="too early")
    with pytest.raises(TransitionNotAllowed):
        intervene(alert, supervisor)
    services.answer_alert(alert, "begin_review", by=supervisor)
    with pytest.raises(InvalidInput):
        intervene(alert, supervisor, kind="suspension")
    with pytest.raises(InvalidInput):
        intervene(alert, supervisor, follow_up_due=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(InvalidInput):
        intervene(alert, supervisor, given_by=" ")
    assert Alert.objects.get(pk=alert.pk).state == "supervisor_review"


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.INVESTIGATOR, roles.POST_LIAISON, roles.ADMINISTRATOR])
def test_only_supervisors_and_the_chief_answer_alerts(alert, staff, role):
    with pytest.raises(NotPermitted):
        services.answer_alert(alert, "begin_review", by=staff[role])


def test_the_officer_himself_cannot_answer_his_alert(alert, force, make_user):
    sergeant = make_user(roles.SUPERVISOR)
    with recorded(label="test", reason="account linked"):
        force["p1"].user = sergeant
        force["p1"].save()
    with pytest.raises(NotPermitted):
        services.answer_alert(alert, "begin_review", by=sergeant)


def test_a_false_positive_without_reason_is_refused_over_http_with_the_input_kept(alert, supervisor, client):
    client.force_login(supervisor)
    url = reverse("early_intervention:alert_action", args=[alert.pk, "false_positive"])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Please write the reason" in response.content.decode()
    response = client.post(reverse("early_intervention:alert_action", args=[alert.pk, "intervention"]),
                           {"kind": "training", "given_by": "Academy staff", "given_on": "2026-01-01",
                            "follow_up_due": "2025-01-01", "notes": "De-escalation course"})
    assert response.status_code == 400
    assert "De-escalation course" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).state == "new"


def test_a_supervisor_answers_through_the_pages(alert, supervisor, client):
    client.force_login(supervisor)
    act = lambda action, data: client.post(  # noqa: E731
        reverse("early_intervention:alert_action", args=[alert.pk, action]), data)
    assert act("begin_review", {"reason": ""}).status_code == 302
    today = timezone.localdate()
    assert act("intervention", {"kind": "training", "given_by": "Academy staff", "given_on": today.isoformat(),
                                "follow_up_due": today.isoformat(), "notes": ""}).status_code == 302
    intervention = alert.interventions.get()
    assert act("follow_up", {"intervention": intervention.pk, "outcome": "resolved",
                             "notes": "Completed."}).status_code == 302
    assert Alert.objects.get(pk=alert.pk).state == "resolved"
    page = client.get(reverse("early_intervention:alert", args=[alert.pk])).content.decode()
    assert "Completed." in page and "Academy staff" in page


def test_the_board_flags_alerts_and_reviews_past_due(alert, supervisor, client, force, complain, make_rule):
    client.force_login(supervisor)
    page = client.get(reverse("early_intervention:board")).content.decode()
    assert str(force["p1"]) in page and "overdue" not in page.split("<tbody>")[1].split("</tbody>")[0]
    with recorded(label="test", reason="answer date passed"):
        alert.due_at = timezone.now() - datetime.timedelta(days=1)
        alert.save()
    page = client.get(reverse("early_intervention:board")).content.decode()
    assert 'class="overdue"' in page
    services.answer_alert(alert, "begin_review", by=supervisor)
    past = timezone.localdate() - datetime.timedelta(days=3)
    intervene(alert, supervisor, given_on=past - datetime.timedelta(days=30), follow_up_due=past)
    page = client.get(reverse("early_intervention:board")).content.decode()
    reviews = page.split("Follow-up reviews past due")[1]
    assert str(force["p1"]) in reviews and "overdue" in reviews


def test_the_unit_dashboard_counts_alerts_and_follow_up_reviews_past_due(alert, supervisor, client):
    client.force_login(supervisor)

    def overdue_cells():
        page = client.get(reverse("early_intervention:units")).content.decode()
        row = page.split("1st District")[1].split("</tr>")[0]
        return row.strip().rsplit("\n", 1)[-1].strip()

    assert overdue_cells() == "<td>0</td><td>0</td>"
    with recorded(label="test", reason="answer date passed"):
        alert.due_at = timezone.now() - datetime.timedelta(days=1)
        alert.save()
    assert overdue_cells() == "<td>1</td><td>0</td>"
    services.answer_alert(alert, "begin_review", by=supervisor)
    assert overdue_cells() == "<td>1</td><td>0</td>", "a review begun is not an answer"
    past = timezone.localdate() - datetime.timedelta(days=3)
    intervention = intervene(alert, supervisor, given_on=past - datetime.timedelta(days=30), follow_up_due=past)
    assert overdue_cells() == "<td>0</td><td>1</td>"
    services.review_follow_up(intervention, by=supervisor, outcome="resolved", notes="Done; doing well.")
    assert overdue_cells() == "<td>0</td><td>0</td>"
