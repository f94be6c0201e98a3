"""Reads for the staff workspace: every list runs a fixed number of queries per page, whatever its size."""

import datetime
import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from complaints import roles
from complaints.models import (
    Allegation,
    Complaint,
    ComplaintTranslation,
    Evidence,
    EvidenceAccess,
    Message,
    Officer,
    Party,
)

from . import policies
from .models import (
    Assignment,
    DisciplineDecision,
    Finding,
    Interview,
    Investigation,
    Note,
    OfficerSeparation,
    RetaliationCheck,
    Review,
    State,
    Task,
    WitnessOfficer,
)


def with_list_data(queryset):
    """What a row of any case list shows: the complaint, the investigator, allegations with officer and category."""
    return queryset.select_related("complaint", "investigator").prefetch_related(
        Prefetch("complaint__allegations", queryset=Allegation.objects.select_related("officer", "category"))
    )


def triage_queue(user):
    """New complaints waiting for intake: urgent first, then oldest first."""
    qs = policies.visible_investigations(user).filter(state__in=policies.TRIAGE_STATES)
    return with_list_data(qs.order_by("-complaint__urgent", "complaint__received_at", "pk"))


def caseload(user):
    """The user's open assigned cases, most pressing deadline first."""
    qs = policies.visible_investigations(user).open().assigned_to(user)
    return with_list_data(qs.order_by("phase_due_at", "pk"))


def board(now=None):
    """Every active investigator with `open_cases` and `overdue_cases` set, in two queries."""
    now = now or timezone.now()
    overdue_q = Q(phase_due_at__lt=now) | Q(due_at__lt=now)
    counts = {
        row["investigator"]: row
        for row in Investigation.objects.open().filter(investigator__isnull=False).values("investigator")
        .annotate(open_cases=Count("pk"), overdue_cases=Count("pk", filter=overdue_q)).order_by()
    }
    people = list(get_user_model().objects.filter(groups__name=roles.INVESTIGATOR, is_active=True)
                  .order_by("username"))
    for person in people:
        row = counts.get(person.pk, {})
        person.open_cases = row.get("open_cases", 0)
        person.overdue_cases = row.get("overdue_cases", 0)
    return people


def awaiting_assignment(user):
    qs = policies.visible_investigations(user).filter(state=State.TRIAGED)
    return with_list_data(qs.order_by("-complaint__urgent", "complaint__received_at", "pk"))


def in_progress(user):
    qs = policies.visible_investigations(user).filter(state__in=policies.REASSIGN_STATES)
    return with_list_data(qs.order_by("phase_due_at", "pk"))


def decision_queue(user):
    """Cases with approved findings waiting for the chief's final discipline."""
    qs = policies.visible_investigations(user).filter(
        state=State.FINDINGS_APPROVED,
        findings__stage=Finding.Stage.APPROVED, findings__disposition__is_sustained=True,
    ).distinct()
    return qs.select_related("complaint", "investigator").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.filter(stage=Finding.Stage.APPROVED).select_related(
            "allegation__officer", "allegation__category", "disposition"), to_attr="approved_findings"),
    ).order_by("state_entered_at", "pk")


def prior_sustained_history(officer_ids):
    """{officer id: [approved sustained findings, newest first]} in one query (callers drop the case at hand)."""
    history = defaultdict(list)
    if not officer_ids:
        return history
    findings = (
        Finding.objects.filter(stage=Finding.Stage.APPROVED, disposition__is_sustained=True,
                               allegation__officer_id__in=officer_ids)
        .select_related("allegation__category", "investigation__complaint", "disposition")
        .order_by("-recorded_at")
    )
    for finding in findings:
        history[finding.allegation.officer_id].append(finding)
    return history


FULL_REFERENCE = re.compile(r"^C-\d{4}-\d{6,}$")
SEARCH_FIELDS = ("reference", "officer", "name", "category", "status", "received_from", "received_to")


def search(user, params):
    """Cases matching every given criterion (reference, officer, name, category, status, date received)."""
    qs = policies.visible_investigations(user)
    reference = (params.get("reference") or "").strip()
    if reference:
        reference = reference.upper()
        if FULL_REFERENCE.match(reference):
            qs = qs.filter(complaint__reference=reference)  # the unique index answers this at once
        else:
            qs = qs.filter(complaint__reference__startswith=reference)
    officer = (params.get("officer") or "").strip()
    if officer:
        # Roster officers first (indexed), then what filers gave for officers not yet identified.
        officer_ids = Officer.objects.filter(Q(star_number=officer) | Q(last_name__iexact=officer)).values("pk")
        qs = qs.filter(complaint_id__in=Allegation.objects.filter(
            Q(officer_id__in=officer_ids) | Q(officer_badge_given=officer)
            | Q(officer_name_given__icontains=officer)).values("complaint_id"))
    name = (params.get("name") or "").strip()
    if name:
        qs = qs.filter(complaint_id__in=Party.objects.filter(name__icontains=name).values("complaint_id"))
    category = (params.get("category") or "").strip()
    if category:
        qs = qs.filter(complaint_id__in=Allegation.objects.filter(category__code=category).values("complaint_id"))
    status = (params.get("status") or "").strip()
    if status:
        qs = qs.filter(state=status)
    for key, lookup in (("received_from", "gte"), ("received_to", "lt")):
        value = params.get(key)
        if isinstance(value, datetime.date):
            if key == "received_to":
                value = value + datetime.timedelta(days=1)
            start_of_day = timezone.make_aware(datetime.datetime.combine(value, datetime.time()))
            qs = qs.filter(**{f"complaint__received_at__{lookup}": start_of_day})
    return with_list_data(qs.order_by("-pk"))


def timeline(investigation):
    """Everything that happened to the case, oldest first, from the history tables: when, who, what, why."""
    complaint_id = investigation.complaint_id
    sources = [
        ("case", Investigation.history.filter(id=investigation.pk)),
        ("assignment", Assignment.history.filter(investigation_id=investigation.pk)),
        ("finding", Finding.history.filter(investigation_id=investigation.pk)),
        ("review", Review.history.filter(investigation_id=investigation.pk)),
        ("interview", Interview.history.filter(investigation_id=investigation.pk)),
        ("note", Note.history.filter(investigation_id=investigation.pk)),
        ("task", Task.history.filter(investigation_id=investigation.pk)),
        ("witness officer", WitnessOfficer.history.filter(investigation_id=investigation.pk)),
        ("retaliation check", RetaliationCheck.history.filter(investigation_id=investigation.pk)),
        ("discipline", DisciplineDecision.history.filter(investigation_id=investigation.pk)),
        ("separation", OfficerSeparation.history.filter(investigation_id=investigation.pk)),
        ("complaint", Complaint.history.filter(id=complaint_id)),
        ("allegation", Allegation.history.filter(complaint_id=complaint_id)),
        ("party", Party.history.filter(complaint_id=complaint_id)),
        ("evidence", Evidence.history.filter(complaint_id=complaint_id)),
        ("message", Message.history.filter(complaint_id=complaint_id)),
        ("translation", ComplaintTranslation.history.filter(complaint_id=complaint_id)),
    ]
    events = []
    for kind, rows in sources:
        previous_state = None
        for row in rows.order_by("history_date", "history_id"):
            event = {"at": row.history_date, "kind": kind, "who": row.history_actor,
                     "change": row.get_history_type_display(), "reason": row.history_change_reason}
            if kind == "case":
                event["from_state"] = previous_state
                event["to_state"] = row.state
                event["state_changed"] = previous_state != row.state
                previous_state = row.state
            events.append(event)
    events.sort(key=lambda e: e["at"])
    return events


def evidence_accesses(viewer, *, investigation=None, accessed_by=None):
    """Rows of the evidence access log `viewer` may read, newest first: one case's, or one staff member's."""
    qs = policies.visible_evidence_accesses(viewer, EvidenceAccess.objects.all())
    if investigation is not None:
        qs = qs.filter(evidence__complaint_id=investigation.complaint_id)
    if accessed_by is not None:
        qs = qs.filter(user=accessed_by)
    return qs.select_related("user", "evidence__complaint").order_by("-at", "-pk")


def home_queues(user, today=None):
    """The queues of the user's roles with their counts: [(label, url name, count)], in a handful of queries."""
    from django.apps import apps
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    now = timezone.now()
    visible = policies.visible_investigations(user)
    queues = []
    if policies.can_view_triage_queue(user):
        queues.append((_("Triage queue"), "staff:triage", visible.filter(state__in=policies.TRIAGE_STATES).count()))
    if policies.can_view_caseload(user):
        mine = visible.open().assigned_to(user)
        queues.append((_("My caseload"), "staff:caseload", mine.count()))
        queues.append((_("My overdue cases"), "staff:caseload", mine.overdue(now).count()))
    if policies.can_view_board(user):
        queues.append((_("Awaiting assignment"), "staff:board", visible.filter(state=State.TRIAGED).count()))
        queues.append((_("Awaiting supervisor review"), "staff:board",
                       visible.filter(state=State.SUPERVISOR_REVIEW).count()))
        queues.append((_("Overdue cases"), "staff:board", visible.overdue(now).count()))
    if policies.can_view_decision_queue(user):
        queues.append((_("Decision queue"), "staff:decisions", decision_queue(user).count()))
    if policies.can_read_referrals(user):
        # Looked up by label: the referral app depends on this one, never the other way round at import time.
        referrals = policies.without_excluded_cases(user, apps.get_model("referrals", "Referral").objects.all())
        queues.append((_("POST referrals due"), "referrals:queue", referrals.due(today).count()))
        queues.append((_("POST referrals overdue"), "referrals:queue", referrals.overdue(today).count()))
    if policies.can_view_export_log(user):
        exports = policies.without_excluded_cases(user, apps.get_model("referrals", "ExportLog").objects.filter(
            exported_at__gte=now - datetime.timedelta(days=30)))
        queues.append((_("Exports in the last 30 days"), "referrals:export_log", exports.count()))
    if policies.can_view_evidence_access_log(user):
        recent = policies.visible_evidence_accesses(user, EvidenceAccess.objects.filter(
            at__gte=now - datetime.timedelta(days=7)))
        queues.append((_("Evidence views in the last 7 days"), "staff:access_log", recent.count()))
    return queues
