"""Reads for the staff workspace: every list runs a fixed number of queries per page, whatever its size."""

import datetime
import re
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from complaints import roles
from complaints.models import Allegation, Complaint, ComplaintTranslation, Evidence, Message, Officer, Party

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


# Urgent first, then oldest; the complaint id breaks ties (one investigation per complaint). The same columns as the
# index complaint_queue_order, so PostgreSQL reads a queue page in index order and stops after it.
QUEUE_ORDER = ("-complaint__urgent", "complaint__received_at", "complaint_id")


def _in_states(user, states):
    """Visible investigations in `states`, with the state condition written once (see visible_investigations)."""
    return policies.visible_investigations(user, Investigation.objects.filter(state__in=states), within_states=states)


def triage_queue(user):
    """New complaints waiting for intake: urgent first, then oldest first."""
    return with_list_data(_in_states(user, policies.TRIAGE_STATES).order_by(*QUEUE_ORDER))


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
    return with_list_data(_in_states(user, (State.TRIAGED,)).order_by(*QUEUE_ORDER))


def in_progress(user):
    qs = policies.visible_investigations(user).filter(state__in=policies.REASSIGN_STATES)
    return with_list_data(qs.order_by("phase_due_at", "pk"))


def decision_queue(user):
    """Cases with approved findings waiting for the chief's final discipline (only those with a sustained one)."""
    sustained = Finding.objects.filter(investigation=OuterRef("pk"), stage=Finding.Stage.APPROVED,
                                       disposition__is_sustained=True)
    qs = policies.visible_investigations(user).filter(state=State.FINDINGS_APPROVED).filter(Exists(sustained))
    return qs.select_related("complaint", "investigator").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.filter(stage=Finding.Stage.APPROVED).select_related(
            "allegation__officer", "allegation__category", "disposition"), to_attr="approved_findings"),
    ).order_by("state_entered_at", "pk")


def prior_sustained_history(officer_ids, newest):
    """{officer id: (number of approved sustained findings, the `newest` most recent of them)} in one query."""
    history = {}
    if not officer_ids:
        return history
    officer = F("allegation__officer_id")
    findings = (
        Finding.objects.filter(stage=Finding.Stage.APPROVED, disposition__is_sustained=True,
                               allegation__officer_id__in=officer_ids)
        .annotate(history_officer=officer,
                  rank=Window(RowNumber(), partition_by=officer, order_by=[F("recorded_at").desc(), F("pk").desc()]),
                  officer_total=Window(Count("pk"), partition_by=officer))
        .filter(rank__lte=newest)
        .select_related("allegation__category", "investigation__complaint", "disposition")
        .order_by("history_officer", "rank")
    )
    for finding in findings:
        history.setdefault(finding.history_officer, (finding.officer_total, []))[1].append(finding)
    return history


def decision_rows(cases, shown=10):
    """Per case of the decision queue, each officer with a sustained finding here and their prior sustained history
    (the newest `shown` findings from other cases, and how many there are), from one aggregated query."""
    here = defaultdict(list)
    for case in cases:
        for finding in case.approved_findings:
            if finding.disposition.is_sustained and finding.allegation.officer_id:
                here[case.pk, finding.allegation.officer_id].append(finding)
    # Enough of each officer's newest findings to show `shown` after leaving out those of the case at hand.
    on_page = Counter()
    for (_case, officer_id), findings in here.items():
        on_page[officer_id] = max(on_page[officer_id], len(findings))
    history = prior_sustained_history(set(on_page), shown + max(on_page.values(), default=0))
    rows = []
    for case in cases:
        officers = {}
        for finding in case.approved_findings:
            officer_id = finding.allegation.officer_id
            if (case.pk, officer_id) not in here or officer_id in officers:
                continue
            total, newest = history.get(officer_id, (0, []))
            officers[officer_id] = {
                "officer": finding.allegation.officer, "sustained": here[case.pk, officer_id],
                "prior": [f for f in newest if f.investigation_id != case.pk][:shown],
                "prior_count": total - len(here[case.pk, officer_id]),
            }
        rows.append({"case": case, "officers": list(officers.values())})
    return rows


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
        # Resolved to a list first: PostgreSQL can then combine three indexes (officer, badge given, name given
        # by trigram) instead of reading every allegation.
        officer_ids = list(Officer.objects.filter(Q(star_number=officer) | Q(last_name__iexact=officer))
                           .values_list("pk", flat=True))
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
