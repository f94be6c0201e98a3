"""Reads for the early-intervention pages: the board, an alert's events, one officer's timeline, the units."""

import datetime
from collections import Counter, defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Allegation, Complaint, Officer, RetaliationReport, Unit
from investigations.models import DisciplineDecision, Finding

from . import conf, evaluation, indicators, policies
from .models import Alert, AlertState, EventType, Intervention, OfficerEvent

YEAR = datetime.timedelta(days=365)


def review_due_on(intervention):
    """The date the intervention's next follow-up review is due (a 'keep monitoring' review sets a new one)."""
    reviews = sorted(intervention.reviews.all(), key=lambda r: (r.reviewed_at, r.pk))
    if reviews and reviews[-1].next_review_due:
        return reviews[-1].next_review_due
    return intervention.follow_up_due


def reviews_past_due(user, today=None):
    """Interventions of alerts still in monitoring whose follow-up review date has passed: [(intervention, due)]."""
    today = today or timezone.localdate()
    interventions = (Intervention.objects.filter(alert__in=policies.visible_alerts(user),
                                                 alert__state=AlertState.MONITORING)
                     .select_related("alert__rule", "officer").prefetch_related("reviews"))
    found = [(i, review_due_on(i)) for i in interventions]
    return [(i, due) for i, due in found if due < today]


def board(user, state=None):
    alerts = policies.visible_alerts(user).select_related("officer__unit", "rule")
    if state:
        return alerts.filter(state=state)
    return alerts.open().order_by("due_at", "pk")


def describe_triggers(references):
    """[(when, text)] for an alert's trigger references, oldest first."""
    ids = defaultdict(list)
    for reference in references:
        kind, _sep, pk = reference.partition(":")
        ids[kind].append(int(pk))
    items = []
    for c in Complaint.objects.filter(pk__in=ids["complaint"]):
        items.append((c.received_at, _("Complaint %(reference)s received") % {"reference": c.reference}))
    for a in Allegation.objects.filter(pk__in=ids["allegation"]).select_related("complaint", "category"):
        items.append((a.complaint.received_at, _("Allegation of %(category)s in %(reference)s") % {
            "category": a.category.label(), "reference": a.complaint.reference}))
    for f in Finding.objects.filter(pk__in=ids["finding"]).select_related("allegation__complaint", "disposition"):
        items.append((f.recorded_at, _("Finding approved: %(disposition)s in %(reference)s") % {
            "disposition": f.disposition.label(), "reference": f.allegation.complaint.reference}))
    for r in RetaliationReport.objects.filter(pk__in=ids["retaliation"]).select_related("complaint"):
        items.append((r.reported_at, _("Retaliation reported in %(reference)s") % {
            "reference": r.complaint.reference}))
    for e in OfficerEvent.objects.filter(pk__in=ids["event"]).select_related("event_type"):
        items.append((e.occurred_at, f"{e.event_type.display()} ({e.source} {e.source_id})"))
    return sorted(items, key=lambda item: item[0])


def officer_timeline(user, officer):
    """One officer's complaints, findings, discipline, events and alerts: [(when, kind, text)], newest first."""
    items = []
    complaints = Complaint.objects.filter(allegations__officer=officer).distinct()
    if not user.has_perm("complaints.view_sealed_complaint"):
        complaints = complaints.filter(sealed=False)
    categories = defaultdict(list)
    for allegation in Allegation.objects.filter(officer=officer, complaint__in=complaints).select_related("category"):
        categories[allegation.complaint_id].append(allegation.category.label())
    for complaint in complaints:
        items.append((complaint.received_at, _("complaint"), _("%(reference)s: %(allegations)s") % {
            "reference": complaint.reference, "allegations": ", ".join(categories[complaint.pk])}))
    findings = (Finding.objects.filter(allegation__officer=officer, stage=Finding.Stage.APPROVED,
                                       allegation__complaint__in=complaints)
                .select_related("disposition", "allegation__category", "allegation__complaint"))
    for finding in findings:
        items.append((finding.recorded_at, _("finding"), _("%(reference)s: %(category)s — %(disposition)s") % {
            "reference": finding.allegation.complaint.reference, "category": finding.allegation.category.label(),
            "disposition": finding.disposition.label()}))
    decisions = DisciplineDecision.objects.filter(officer=officer, investigation__complaint__in=complaints)
    for decision in decisions.select_related("investigation__complaint"):
        reference = decision.investigation.complaint.reference
        items.append((decision.decided_at, _("discipline"),
                      f"{reference}: {decision.get_outcome_display()} ({decision.get_kind_display()})"))
    for event in OfficerEvent.objects.current().filter(officer=officer).select_related("event_type"):
        text = f"{event.event_type.display()} ({event.source} {event.source_id})"
        if event.revision > 1:
            text += " — " + _("corrected (revision %(revision)s)") % {"revision": event.revision}
        if not event.is_final:
            text += " — " + _("report not final")
        items.append((event.occurred_at, _("event"), text))
    for alert in Alert.objects.filter(officer=officer).select_related("rule"):
        items.append((alert.raised_at, _("alert"), f"{alert.rule} — {alert.get_state_display()}"))
    return sorted(items, key=lambda item: item[0], reverse=True)


def twelve_month_counts(officer, now=None):
    """[(indicator label, the officer's count, the peer-group median)] over the last 12 months.

    The peer group is the officers with the same assignment type who are working.
    """
    now = now or timezone.now()
    peers = list(Officer.objects.filter(assignment_type=officer.assignment_type,
                                        employment_status__in=evaluation.WORKING_STATUSES)
                 .values_list("pk", flat=True))
    if officer.pk not in peers:
        peers.append(officer.pk)
    codes = list(indicators.OWN_INDICATORS) + [f"event:{code}" for code in
                                               EventType.objects.filter(active=True).values_list("code", flat=True)]
    rows = []
    for code in codes:
        per_officer = indicators.by_officer([code], now - YEAR, now, officer_ids=peers)
        counts = [len(per_officer.get(pk, ())) for pk in peers]
        rows.append((indicators.label(code), len(per_officer.get(officer.pk, ())), evaluation.median(counts)))
    return rows


def unit_dashboard(user, now=None):
    """Per unit: officers, alerts in 12 months, share of officers flagged (and a warning), unanswered past due,
    follow-up reviews past due."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    warn_above = conf.unit_flagged_warning_share()
    officers = Counter(Officer.objects.filter(employment_status__in=evaluation.WORKING_STATUSES)
                       .values_list("unit_id", flat=True))
    alerts = policies.visible_alerts(user).filter(raised_at__gt=now - YEAR)
    alert_counts = Counter(alerts.values_list("officer__unit_id", flat=True))
    flagged = defaultdict(set)
    for unit_id, officer_id in alerts.values_list("officer__unit_id", "officer_id"):
        flagged[unit_id].add(officer_id)
    past_due = Counter(policies.visible_alerts(user).unanswered_past_due(now)
                       .values_list("officer__unit_id", flat=True))
    reviews = Counter(i.officer.unit_id for i, _due in reviews_past_due(user, today))
    units = {u.pk: u for u in Unit.objects.all()}
    rows = []
    for unit_id in sorted(set(officers) | set(alert_counts), key=lambda pk: str(units.get(pk, ""))):
        share = len(flagged[unit_id]) / officers[unit_id] if officers[unit_id] else 0.0
        rows.append({
            "unit": units.get(unit_id), "officers": officers[unit_id], "alerts": alert_counts[unit_id],
            "flagged": len(flagged[unit_id]), "share": share, "warning": share > warn_above,
            "past_due": past_due[unit_id], "reviews_past_due": reviews[unit_id],
        })
    return rows, warn_above

