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

from complaints.history import locked_chain_head, recorded
from complaints.models import Officer
from complaints.records import bulk_create_with_history

from . import conf, indicators
from .models import CLOSED_STATES, Alert, Rule

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
    """Indicator occurrences per window, read once per evaluation however many rules share them.

    `officer_ids` limits what threshold rules read to those officers; a peer rule always reads its whole peer
    group (the percentile needs every count).
    """

    def __init__(self, now, officer_ids=None):
        self.now = now
        self.officer_ids = sorted(set(officer_ids)) if officer_ids is not None else None
        self.cache = {}

    def for_rule(self, rule):
        start = self.now - datetime.timedelta(days=rule.window_days)
        scope = None if rule.kind == Rule.Kind.PEER else self.officer_ids
        merged = {}
        for code in rule.indicators:
            key = (code, rule.window_days, scope is None)
            if key not in self.cache:
                self.cache[key] = indicators.by_officer([code], start, self.now, scope)
            for officer, rows in self.cache[key].items():
                merged.setdefault(officer, {}).update({ref: when for when, ref in rows})
        return start, merged


def findings_for_rule(rule, occurrences):
    """[(officer_id, references, peer_value)] the rule fires for, before de-duplication.

    A threshold rule looks only at the officers the evaluation is limited to (if it is); a peer rule at its whole
    group, since a correction that lowers one officer's count lowers the percentile for everyone.
    """
    start, per_officer = occurrences.for_rule(rule)
    group = peer_group(rule)
    if rule.kind == Rule.Kind.THRESHOLD and occurrences.officer_ids is not None:
        group = group.filter(pk__in=occurrences.officer_ids)
    counts = {officer: len(per_officer.get(officer, ())) for officer in group.values_list("pk", flat=True)}
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


def evaluate(now=None, label="evaluate_early_intervention", officer_ids=None):
    """Evaluate every rule in force at `now`, for everyone or only `officer_ids` (after a change that concerns
    them); returns the alerts raised, none twice for the same events."""
    now = now or timezone.now()
    found = candidates(now, officer_ids)
    return _raise(found, label) if found else []


def candidates(now, officer_ids=None):
    """The alerts every rule in force calls for at `now` (unsaved, before de-duplication against earlier ones)."""
    if officer_ids is not None and not officer_ids:
        return []
    occurrences = _Occurrences(now, officer_ids)
    found = []
    for rule in rules_in_force(timezone.localdate(now)):
        start, fired = findings_for_rule(rule, occurrences)
        for officer, references, peer_value in fired:
            alert = Alert(officer_id=officer, rule=rule, trigger_key=trigger_key(references), window_start=start,
                          window_end=now, event_count=len(references), peer_value=peer_value, triggers=references,
                          raised_at=now, due_at=now + datetime.timedelta(days=conf.answer_days()))
            alert._change_reason = f"early-intervention rule {rule.code} v{rule.version} evaluated"
            found.append(alert)
    return found


def _raise(found, label):
    """Save the candidate alerts not already raised, with their history, in one transaction and a few statements."""
    with transaction.atomic(), recorded(label=label, reason="early-intervention rules evaluated"):
        # Evaluations queue on the alert chain's head (PostgreSQL row lock), and read the alerts already raised only
        # once they hold it: two evaluations running at once never raise the same alert twice.
        locked_chain_head(Alert.history.model._meta.db_table)
        earlier = {}
        for code, officer, state, triggers in (
                Alert.objects.filter(rule__code__in={a.rule.code for a in found},
                                     officer_id__in={a.officer_id for a in found})
                .order_by().values_list("rule__code", "officer_id", "state", "triggers")):
            entry = earlier.setdefault((code, officer), {"open": False, "named": set()})
            entry["open"] |= state not in CLOSED_STATES
            entry["named"] |= set(triggers)
        fresh = []
        for alert in found:
            before = earlier.get((alert.rule.code, alert.officer_id))
            if before and (before["open"] or set(alert.triggers) <= before["named"]):
                continue
            fresh.append(alert)
        return bulk_create_with_history(Alert, fresh)
