"""Which cases owe the Illinois board a referral, and by when: every case is driven through the workflow."""

import datetime

import pytest
from django.utils import timezone

from complaints.history import recorded
from complaints.models import Disposition
from investigations import services
from investigations.models import State
from referrals import services as referral_services
from referrals.models import Referral, Rule, RuleSet, Status
from tests.factories import decide, determination_day, record_findings, sustained, unfounded, walk

pytestmark = pytest.mark.django_db

A1 = "il-a1-suspension-10-days"
A2 = "il-a2-formal-investigation"
A3 = "il-a3-truthfulness-bias-integrity"
A4 = "il-a4-resigned-retired-under-investigation"


def referrals():
    return list(Referral.objects.order_by("pk"))


def test_illinois_rules_are_seeded_as_data_with_an_effective_date():
    rule_set = RuleSet.objects.get(state="IL")
    assert rule_set.due_days == 10
    assert rule_set.statute == "50 ILCS 705/9.2"
    assert rule_set.effective_until is None
    assert [r.code for r in rule_set.rules.order_by("sort_order")] == [A1, A2, A3, A4]
    assert rule_set.history.count() == 1
    assert rule_set.history.get().history_change_reason.startswith("Illinois referral rules")


def test_ten_day_suspension_is_referred_ten_days_after_the_final_determination(file_case, team, certified):
    case = file_case(categories=("discourtesy",))
    decision = decide(case, team, certified, outcome="suspension", days=10)

    [referral] = referrals()
    assert (referral.investigation, referral.officer) == (case, certified)
    assert referral.rule.code == A1
    assert referral.rules_met == [A1]
    assert referral.trigger == Referral.Trigger.DISCIPLINE
    assert referral.discipline == decision
    assert referral.trigger_date == determination_day(decision)
    assert referral.due_date == determination_day(decision) + datetime.timedelta(days=10)
    assert referral.status == Status.DUE and referral.conditions_met
    created = referral.history.get()
    assert created.history_change_reason.startswith("POST referral rules evaluated after discipline")
    assert (created.history_actor, created.history_user) == ("system", None)


def test_nine_day_suspension_does_not_meet_the_suspension_condition(file_case, team, certified):
    case = file_case(categories=("discourtesy",))
    decide(case, team, certified, outcome="suspension", days=9)

    assert referrals() == []


def test_nine_day_suspension_for_excessive_force_is_referred_by_the_formal_investigation_condition_only(
        file_case, team, certified):
    case = file_case(categories=("excessive-force",))
    decision = decide(case, team, certified, outcome="suspension", days=9)

    [referral] = referrals()
    assert referral.rules_met == [A2]
    assert referral.due_date == determination_day(decision) + datetime.timedelta(days=10)


def test_sustained_dishonesty_with_a_reprimand_is_referred_by_the_truthfulness_condition(file_case, team, certified):
    case = file_case(categories=("dishonesty", "discourtesy"))
    decide(case, team, certified, outcome="written_reprimand")

    [referral] = referrals()
    assert referral.rule.code == A3
    assert referral.rules_met == [A3]


def test_sustained_force_is_not_referred_before_the_final_determination(file_case, team, certified):
    case = file_case(categories=("excessive-force",))
    walk(case, team, "findings_approved", disposition=sustained())

    assert case.state == State.FINDINGS_APPROVED
    assert referrals() == []


def test_unfounded_force_allegation_closed_without_discipline_is_not_referred(file_case, team, certified):
    case = file_case(categories=("excessive-force",))
    walk(case, team, "findings_approved", disposition=unfounded())
    services.close_investigation(case, by=team["supervisor"])

    assert case.state == State.CLOSED
    assert referrals() == []


def test_resignation_during_an_investigation_after_notice_is_referred_from_the_resignation_date(
        file_case, team, certified):
    case = file_case(received_at=timezone.now() - datetime.timedelta(days=40))
    walk(case, team, "investigating")
    resigned_on = timezone.localdate() - datetime.timedelta(days=3)
    separation = services.record_officer_separation(
        certified, by=team["investigator"], investigation=case, separation_date=resigned_on, reason="resigned",
        notice_served=True)

    [referral] = referrals()
    assert referral.rule.code == A4
    assert referral.trigger == Referral.Trigger.SEPARATION
    assert referral.separation == separation
    assert referral.trigger_date == resigned_on
    assert referral.due_date == resigned_on + datetime.timedelta(days=10)
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING  # leaving never closes the case


def test_retirement_after_notice_is_referred_too(case, team, certified):
    walk(case, team, "investigating")
    services.record_officer_separation(certified, by=team["supervisor"], investigation=case,
                                       separation_date=timezone.localdate(), reason="retired", notice_served=True)

    assert [r.rules_met for r in referrals()] == [[A4]]


def test_resignation_before_the_complaint_was_received_is_not_during_the_investigation(file_case, team, certified):
    case = file_case(received_at=timezone.now() - datetime.timedelta(days=5))
    walk(case, team, "investigating")
    services.record_officer_separation(certified, by=team["investigator"], investigation=case, reason="resigned",
                                       separation_date=timezone.localdate() - datetime.timedelta(days=6),
                                       notice_served=True)

    assert referrals() == []


@pytest.mark.parametrize(("reason", "notice"), [("resigned", False), ("retired", False), ("deceased", True)])
def test_separation_without_notice_or_for_another_reason_is_not_referred(case, team, certified, reason, notice):
    walk(case, team, "investigating")
    services.record_officer_separation(certified, by=team["investigator"], investigation=case,
                                       separation_date=timezone.localdate(), reason=reason, notice_served=notice)

    assert referrals() == []


def test_termination_reversed_by_arbitration_is_kept_but_flagged_until_a_supervisor_closes_it(
        file_case, team, certified):
    case = file_case(categories=("discourtesy",))
    termination = decide(case, team, certified, outcome="termination")
    [referral] = referrals()
    assert referral.rules_met == [A1]
    assert list(Referral.objects.due()) == [referral]

    services.record_discipline_change(termination, by=team["chief"], kind="arbitration", outcome="written_reprimand",
                                      effective_date=datetime.date(2026, 6, 1), reason="arbitrator reinstated him")

    referral.refresh_from_db()
    assert referral.conditions_met is False
    assert referral.rules_met == []
    assert referral.status == Status.DUE
    assert "No referral rule is met any more" in referral.evaluation_note
    assert "written reprimand" in referral.evaluation_note
    assert list(Referral.objects.due()) == [] and list(Referral.objects.overdue()) == []
    assert list(Referral.objects.needs_review()) == [referral]

    referral_services.close_referral(referral, by=team["supervisor"], reason="termination reversed by arbitration")
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    assert referral.closed_by == team["supervisor"]
    assert Referral.objects.count() == 1
    assert referral.history.first().history_change_reason.startswith("referral closed as not applying")


def test_termination_for_force_reduced_by_arbitration_still_owes_a_referral_counted_from_the_award(
        file_case, team, certified):
    case = file_case(categories=("excessive-force",))
    termination = decide(case, team, certified, outcome="termination")
    [referral] = referrals()
    assert referral.rules_met == [A1, A2]
    assert referral.discipline == termination

    award = services.record_discipline_change(termination, by=team["chief"], kind="arbitration",
                                              outcome="suspension", suspension_days=5,
                                              effective_date=datetime.date(2026, 6, 1), reason="reduced")

    referral.refresh_from_db()
    assert referral.rules_met == [A2]
    assert referral.rule.code == A2
    assert referral.discipline == award
    assert referral.due_date == determination_day(award) + datetime.timedelta(days=10)
    assert referral.conditions_met


def test_only_the_officer_who_meets_a_condition_is_referred(file_case_against, team, roster):
    case = file_case_against([("officer", "excessive-force"), ("sergeant", "discourtesy")])
    force, rude = case.complaint.allegations.order_by("pk")
    record_findings(case, team, {force.pk: sustained(), rude.pk: Disposition.objects.get(code="sustained")})
    services.record_final_discipline(case, roster["officer"], by=team["chief"], outcome="suspension",
                                     suspension_days=3, effective_date=datetime.date(2026, 3, 2))
    services.record_final_discipline(case, roster["sergeant"], by=team["chief"], outcome="counseling",
                                     effective_date=datetime.date(2026, 3, 2))

    assert [(r.officer, r.rules_met) for r in referrals()] == [(roster["officer"], [A2])]


def test_the_rule_set_version_in_force_on_the_event_date_applies(file_case, team, certified):
    old = RuleSet.objects.get(state="IL")
    today = timezone.localdate()
    with recorded(label="test", reason="a new version of the Illinois rules takes effect today"):
        old.effective_until = today
        old.save()
        new = RuleSet.objects.create(state="IL", name="Illinois (amended)", board=old.board, statute=old.statute,
                                     due_days=5, effective_from=today)
        Rule.objects.create(rule_set=new, code="il-any-suspension", kind="discipline", description="any suspension",
                            min_suspension_days=1)

    case = file_case(categories=("discourtesy",))
    decision = decide(case, team, certified, outcome="suspension", days=2)

    [referral] = referrals()
    assert referral.rule.rule_set == new
    assert referral.due_date == determination_day(decision) + datetime.timedelta(days=5)
    assert RuleSet.objects.filter(state="IL").count() == 2  # the old version is kept


def test_editing_a_rule_re_evaluates_referrals_not_yet_sent(file_case, team, certified):
    case = file_case(categories=("discourtesy",))
    decide(case, team, certified, outcome="termination")
    rule = Rule.objects.get(code=A1)
    with recorded(label="test", reason="counsel: termination is reported under another rule"):
        rule.outcomes = []
        rule.save()

    referral_services.evaluate_all(event="rules edited")

    [referral] = referrals()
    assert referral.conditions_met is False


def test_a_referral_already_sent_keeps_what_was_sent_and_notes_a_later_change(file_case, team, certified, liaison):
    case = file_case(categories=("discourtesy",))
    termination = decide(case, team, certified, outcome="termination")
    [referral] = referrals()
    referral_services.mark_sent(referral, by=liaison, sent_on=timezone.localdate(), method="portal",
                                board_reference="ILETSB-77")

    services.record_discipline_change(termination, by=team["chief"], kind="arbitration", outcome="counseling",
                                      effective_date=datetime.date(2026, 6, 1), reason="reinstated")

    referral.refresh_from_db()
    assert referral.status == Status.SENT
    assert referral.discipline == termination
    assert "already sent" in referral.evaluation_note
