"""Which referral rules a case-officer pair meets: reads the workflow's records, writes nothing.

A basis is one rule met by one event (a final determination in force, or a separation). The due date counts
from the event: for a determination, from the newest decision in its chain (an appeal, grievance, arbitration
or court change is the determination once it exists), so a later change moves the deadline or ends the duty.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from investigations.models import DisciplineDecision, Finding, OfficerSeparation
from investigations.services import current_discipline

from . import conf
from .models import Rule, RuleSet


@dataclass(frozen=True)
class Basis:
    rule: Rule
    trigger: str  # Referral.Trigger value
    trigger_date: datetime.date
    due_date: datetime.date
    discipline: DisciplineDecision | None = None
    separation: OfficerSeparation | None = None

    @property
    def sort_key(self):
        return (self.due_date, self.rule.sort_order, self.rule.pk)


def rule_set_on(day, state=None):
    """The rule set version in force on `day` for the agency's state, or None."""
    return RuleSet.objects.in_effect_on(day, state or conf.referral_state()).first()


def _rules(rule_set, kind):
    if rule_set is None:
        return []
    # One query per rule set and evaluation: the active rules are read once and kept on the rule set.
    if not hasattr(rule_set, "_active_rules"):
        rule_set._active_rules = list(rule_set.rules.filter(active=True).order_by("sort_order", "pk"))
    return [rule for rule in rule_set._active_rules if rule.kind == kind]


def determination_in_force(investigation, officer):
    """The officer's determination in force in this case: the newest final decision, followed to its last change."""
    final = (DisciplineDecision.objects.filter(investigation=investigation, officer=officer,
                                               kind=DisciplineDecision.Kind.FINAL)
             .order_by("-decided_at", "-pk").first())
    return current_discipline(final) if final is not None else None


def sustained_categories(investigation, officer):
    """Category codes of this officer's allegations with an approved sustained finding in this case."""
    return set(
        Finding.objects.filter(investigation=investigation, allegation__officer=officer,
                               stage=Finding.Stage.APPROVED, disposition__is_sustained=True)
        .values_list("allegation__category__code", flat=True)
    )


def discipline_qualifies(rule, decision):
    if decision.outcome in (rule.outcomes or []):
        return True
    return (
        rule.min_suspension_days is not None
        and decision.outcome == DisciplineDecision.Outcome.SUSPENSION
        and (decision.suspension_days or 0) >= rule.min_suspension_days
    )


def separation_qualifies(rule, separation, investigation):
    if separation.reason not in (rule.separation_reasons or []):
        return False
    if rule.requires_notice and not separation.notice_served:
        return False
    # "During an investigation": after the complaint came in and before the case was closed.
    if separation.separation_date < timezone.localdate(investigation.complaint.received_at):
        return False
    if investigation.closed_at and investigation.state == "closed":
        return separation.separation_date <= timezone.localdate(investigation.closed_at)
    return True


def bases_for(investigation, officer):
    """Every rule the pair meets now, soonest deadline first."""
    found = []
    decision = determination_in_force(investigation, officer)
    if decision is not None:
        day = timezone.localdate(decision.decided_at)
        rule_set = rule_set_on(day)
        due = day + datetime.timedelta(days=rule_set.due_days) if rule_set else None
        for rule in _rules(rule_set, Rule.Kind.DISCIPLINE):
            if discipline_qualifies(rule, decision):
                found.append(Basis(rule, "discipline", day, due, discipline=decision))
        categories = sustained_categories(investigation, officer)
        for rule in _rules(rule_set, Rule.Kind.SUSTAINED_CATEGORY):
            if categories and (not rule.categories or categories & set(rule.categories)):
                found.append(Basis(rule, "discipline", day, due, discipline=decision))
    separations = OfficerSeparation.objects.filter(investigation=investigation, officer=officer)
    for separation in separations.order_by("separation_date", "pk"):
        day = separation.separation_date
        rule_set = rule_set_on(day)
        due = day + datetime.timedelta(days=rule_set.due_days) if rule_set else None
        for rule in _rules(rule_set, Rule.Kind.SEPARATION):
            if separation_qualifies(rule, separation, investigation):
                found.append(Basis(rule, "separation", day, due, separation=separation))
    return sorted(found, key=lambda b: b.sort_key)
