"""Every change in early intervention: one function per thing a person (or an import) does.

Each checks permission (early_intervention.policies), runs the alert transition if there is one, saves and
records who and why in the history, in one transaction. Errors the user can cause are the named exceptions in
early_intervention.exceptions, with translated messages.
"""

import csv
import datetime

import django_fsm
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from complaints.history import recorded
from complaints.models import Officer

from . import conf, evaluation, policies
from .exceptions import ImportRefused, InvalidInput, MissingReason, NotPermitted, TransitionNotAllowed
from .models import AlertDecision, AlertState, EventType, FollowUpReview, Intervention, OfficerEvent

EVENT_COLUMNS = ("source", "source_id", "event_type", "occurred_at")
EVENT_FIELDS = ("event_type_id", "officer_id", "occurred_at", "is_final", "description")


# -- officer events ------------------------------------------------------------------------------------------


def _parse_when(text):
    text = (text or "").strip()
    when = parse_datetime(text)
    if when is None:
        try:
            when = datetime.datetime.fromisoformat(text)
        except ValueError:
            return None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def import_officer_events(handle, *, name, label="import_officer_events", evaluate=True):
    """Import officer events from CSV text in `handle`; returns (created, corrected, unchanged).

    Columns: source, source_id, event_type (code), occurred_at (ISO 8601), officer_employee_id or officer_star,
    final (yes/no, default yes), description. A row already imported unchanged is skipped; a changed row becomes a
    new revision superseding the current one. Any bad row refuses the whole file (ImportRefused, with line numbers).
    Afterwards every rule is evaluated for the officers whose events changed, so an import raises its alerts at once.
    """
    reader = csv.DictReader(handle)
    missing = [c for c in EVENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRefused([_("%(file)s: missing column(s) %(columns)s") % {
            "file": name, "columns": ", ".join(missing)}])
    types = {t.code: t for t in EventType.objects.filter(active=True)}
    officers = list(Officer.objects.all())
    by_star = {o.star_number: o for o in officers if o.star_number}
    by_employee_id = {o.employee_id: o for o in officers}
    problems, rows, seen = [], [], {}
    for line, row in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in row.items() if k}
        source, source_id = values.get("source", ""), values.get("source_id", "")
        where = f"{name}:{line}"
        if not source or not source_id:
            problems.append(_("%(where)s: source and source_id are required") % {"where": where})
            continue
        if (source, source_id) in seen:
            problems.append(_("%(where)s: %(source)s %(id)s also appears on line %(other)s") % {
                "where": where, "source": source, "id": source_id, "other": seen[(source, source_id)]})
            continue
        seen[(source, source_id)] = line
        event_type = types.get(values.get("event_type", "").lower())
        if event_type is None:
            problems.append(_("%(where)s: unknown event type %(type)r (known: %(known)s)") % {
                "where": where, "type": values.get("event_type", ""), "known": ", ".join(sorted(types))})
            continue
        when = _parse_when(values.get("occurred_at"))
        if when is None:
            problems.append(_("%(where)s: occurred_at is not an ISO 8601 date/time") % {"where": where})
            continue
        officer = (by_employee_id.get(values.get("officer_employee_id", ""))
                   or by_star.get(values.get("officer_star", "")))
        if officer is None:
            problems.append(_("%(where)s: no officer with that employee id or star number") % {"where": where})
            continue
        final = values.get("final", "yes").lower()
        if final not in ("yes", "no", "true", "false", "1", "0", ""):
            problems.append(_("%(where)s: final must be yes or no") % {"where": where})
            continue
        rows.append({"source": source, "source_id": source_id, "event_type_id": event_type.pk,
                     "officer_id": officer.pk, "occurred_at": when, "is_final": final in ("yes", "true", "1", ""),
                     "description": values.get("description", "")})
    if problems:
        raise ImportRefused(problems)
    created = corrected = unchanged = 0
    changed_officers = set()
    with transaction.atomic(), recorded(label=label, reason=f"officer events imported from {name}"):
        current = {}
        for event in OfficerEvent.objects.current().filter(source__in={r["source"] for r in rows}):
            current[(event.source, event.source_id)] = event
        for row in rows:
            old = current.get((row["source"], row["source_id"]))
            if old is None:
                OfficerEvent.objects.create(**row)
                created += 1
            elif all(getattr(old, f) == row[f] for f in EVENT_FIELDS):
                unchanged += 1
                continue
            else:
                OfficerEvent.objects.create(**row, revision=old.revision + 1, supersedes=old)
                corrected += 1
                changed_officers.add(old.officer_id)
            changed_officers.add(row["officer_id"])
        if evaluate and changed_officers:
            evaluation.evaluate(officer_ids=changed_officers, label=label)
    return created, corrected, unchanged


def officers_changed(officer_ids, *, event):
    """Evaluate the rules for the officers an action just changed the indicators of (`event` says what happened).

    Called by the action's service, inside its transaction (through the named signals connected in apps.py). By
    default a background job does it once the action has committed, so a slow evaluation never holds up a filing
    and a failed one never undoes it (the scheduled run catches up). With EI_EVALUATE_IN_BACKGROUND off it runs at
    once, in the action's transaction (tests, or an installation without a worker).
    """
    ids = sorted({pk for pk in officer_ids if pk is not None})
    if not ids:
        return
    if conf.evaluate_in_background():
        from .tasks import evaluate_officers

        transaction.on_commit(lambda: evaluate_officers.delay(ids, event), robust=True)
    else:
        evaluation.evaluate(officer_ids=ids, label=f"early intervention after {event}")


# -- alerts --------------------------------------------------------------------------------------------------

ACTIONS = {
    # action: (transition, needs a written reason)
    "begin_review": ("begin_review", False),
    "escalate": ("escalate", True),
    "plan_intervention": ("plan_intervention", False),
    "false_positive": ("mark_false_positive", True),
    "no_action_needed": ("mark_no_action_needed", True),
}


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise MissingReason(_("Please write the reason for this decision."))
    return reason


def _move(alert, name, user, reason):
    method = getattr(alert, name)
    # Who may answer comes first: a role that may never answer is told so (403) whatever the alert's state.
    if not policies.may_answer_alert(alert, user):
        raise NotPermitted(_("Your role, or a conflict with this officer, does not allow that."))
    if not django_fsm.can_proceed(method, check_conditions=False):
        raise TransitionNotAllowed(_("This alert is '%(state)s'; that action is not possible now.") % {
            "state": alert.get_state_display()})
    if not django_fsm.has_transition_perm(method, user):
        raise NotPermitted(_("Your role, or a conflict with this officer, does not allow that."))
    before = alert.state
    method()
    alert.save()
    AlertDecision.objects.create(alert=alert, from_state=before, to_state=alert.state, decided_by=user,
                                 reason=reason)


def answer_alert(alert, action, *, by, reason=""):
    """A supervisor (or the chain of command) moves an alert on; false positive and no action need a reason."""
    if action not in ACTIONS:
        raise InvalidInput(_("Unknown action."))
    name, needs_reason = ACTIONS[action]
    if needs_reason:
        reason = _require_reason(reason)
    with transaction.atomic(), recorded(by=by, reason=f"alert {action}" + (f": {reason}" if reason else "")):
        _move(alert, name, by, (reason or "").strip())
    return alert


def record_intervention(alert, *, by, kind, given_by, given_on, follow_up_due, notes=""):
    """Record the support given in answer to an alert; the alert then waits for the follow-up review."""
    if kind not in Intervention.Kind.values:
        raise InvalidInput(_("Choose the kind of intervention."))
    given_by = (given_by or "").strip()
    if not given_by or given_on is None or follow_up_due is None:
        raise InvalidInput(_("Say who gives the intervention, when, and when it will be reviewed."))
    if follow_up_due < given_on:
        raise InvalidInput(_("The follow-up review cannot come before the intervention."))
    with transaction.atomic(), recorded(by=by, reason=f"intervention recorded: {kind}"):
        _move(alert, "record_intervention", by, notes)
        return Intervention.objects.create(alert=alert, officer=alert.officer, kind=kind, given_by=given_by,
                                           given_on=given_on, follow_up_due=follow_up_due, notes=notes,
                                           recorded_by=by)


def review_follow_up(intervention, *, by, outcome, notes, next_review_due=None):
    """The follow-up review of an intervention: resolves the alert, or keeps monitoring until a later date."""
    if not policies.may_review_intervention(intervention, by):
        raise NotPermitted(_("Your role, or a conflict with this officer, does not allow that."))
    alert = intervention.alert
    if alert.state != AlertState.MONITORING:
        raise TransitionNotAllowed(_("This alert is '%(state)s'; that action is not possible now.") % {
            "state": alert.get_state_display()})
    if outcome not in FollowUpReview.Outcome.values:
        raise InvalidInput(_("Choose the outcome of the review."))
    notes = (notes or "").strip()
    if not notes:
        raise MissingReason(_("Please write what the review found."))
    if outcome == FollowUpReview.Outcome.CONTINUE and next_review_due is None:
        raise InvalidInput(_("Give the date of the next review."))
    with transaction.atomic(), recorded(by=by, reason=f"follow-up review: {outcome}"):
        review = FollowUpReview.objects.create(
            intervention=intervention, outcome=outcome, notes=notes, reviewed_by=by,
            next_review_due=next_review_due if outcome == FollowUpReview.Outcome.CONTINUE else None,
        )
        if outcome == FollowUpReview.Outcome.RESOLVED:
            _move(alert, "resolve", by, notes)
    return review

