"""Evaluate every rule in force and raise the alerts it calls for (idempotent).

The same events never raise two alerts: an alert is not raised for an officer and rule while one is still open,
nor when every event it would name was already named by an earlier alert of that rule (and the database refuses
a second alert with the same rule version, officer and event set).
"""

import datetime
import hashlib
import json
import math

from django.db import transaction
from django.utils import timezone

from complaints.history import recorded
from complaints.models import Officer

from . import conf, indicators
from .models import Alert, Rule

WORKING_STATUSES = (Officer.EmploymentStatus.ACTIVE, Officer.EmploymentStatus.ON_LEAVE)


def rules_in_force(on_date=None):
    """The newest version of each rule whose effective date has come, unless that version retires the rule."""
    on_date = on_date or timezone.localdate()
    newest = {}
    for rule in Rule.objects.filter(effective_from__lte=on_date).order_by("code", "version"):
        newest[rule.code] = rule
    return [rule for rule in newest.values() if not rule.retired]


def peer_group(rule):
    """The officers a rule applies to (and compares with each other): by assignment type and/or unit."""
    officers = Officer.objects.filter(employment_status__in=WORKING_STATUSES)
    if rule.assignment_type:
        officers = officers.filter(assignment_type=rule.assignment_type)
    if rule.unit_id:
        officers = officers.filter(unit_id=rule.unit_id)
    return officers


def percentile(values, nth):
    """The `nth` percentile of `values` with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * nth / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values):
    return percentile(values, 50)


def trigger_key(references):
    return hashlib.sha256(json.dumps(sorted(references)).encode()).hexdigest()


class _Occurrences:
    """Indicator occurrences per window, read once per evaluation however many rules share them."""

    def __init__(self, now):
        self.now = now
        self.cache = {}

    def for_rule(self, rule):
        start = self.now - datetime.timedelta(days=rule.window_days)
        merged = {}
        for code in rule.indicators:
            key = (code, rule.window_days)
            if key not in self.cache:
                self.cache[key] = indicators.by_officer([code], start, self.now)
            for officer, rows in self.cache[key].items():
                merged.setdefault(officer, {}).update({ref: when for when, ref in rows})
        return start, merged


def findings_for_rule(rule, occurrences):
    """[(officer_id, references, peer_value)] the rule fires for, before de-duplication."""
    start, per_officer = occurrences.for_rule(rule)
    group = list(peer_group(rule).values_list("pk", flat=True))
    counts = {officer: len(per_officer.get(officer, ())) for officer in group}
    fired = []
    if rule.kind == Rule.Kind.THRESHOLD:
        for officer, count in counts.items():
            if rule.threshold_count and count >= rule.threshold_count:
                fired.append((officer, sorted(per_officer[officer]), None))
    else:
        cut = percentile(list(counts.values()), rule.percentile or 95)
        for officer, count in counts.items():
            if count > cut and count >= rule.minimum_count:
                fired.append((officer, sorted(per_officer[officer]), cut))
    return start, fired


def evaluate(now=None, label="evaluate_early_intervention"):
    """Evaluate every rule in force at `now`; returns the alerts raised (none twice for the same events)."""
    now = now or timezone.now()
    occurrences = _Occurrences(now)
    raised = []
    for rule in rules_in_force(timezone.localdate(now)):
        start, fired = findings_for_rule(rule, occurrences)
        if not fired:
            continue
        earlier = {}
        for officer, state, triggers in (Alert.objects.filter(rule__code=rule.code)
                                         .order_by("raised_at", "pk").values_list("officer_id", "state", "triggers")):
            entry = earlier.setdefault(officer, {"open": False, "named": set()})
            entry["open"] |= state not in ("resolved", "false_positive", "no_action_needed")
            entry["named"] |= set(triggers)
        with transaction.atomic(), recorded(label=label, reason=f"early-intervention rule {rule.code} "
                                                                  f"v{rule.version} evaluated"):
            for officer, references, peer_value in fired:
                before = earlier.get(officer)
                if before and (before["open"] or set(references) <= before["named"]):
                    continue
                alert, created = Alert.objects.get_or_create(
                    officer_id=officer, rule=rule, trigger_key=trigger_key(references),
                    defaults={"window_start": start, "window_end": now, "event_count": len(references),
                              "peer_value": peer_value, "triggers": references, "raised_at": now,
                              "due_at": now + datetime.timedelta(days=conf.answer_days())},
                )
                if created:
                    raised.append(alert)
    return raised
