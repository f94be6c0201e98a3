"""Reads for the staff workspace: every list runs a fixed number of queries per page, whatever its size."""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import AutoField, BigAutoField, Count, Exists, F, ForeignKey, OuterRef, Prefetch, Q
from django.db.models.lookups import In
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from complaints import roles
from complaints.models import (
    Allegation,
    Category,
    Complaint,
    ComplaintLink,
    ComplaintTranslation,
    CustodyRecord,
    DerivedFile,
    Disposition,
    Evidence,
    EvidenceAccess,
    EvidenceProcessing,
    Message,
    Officer,
    Party,
    PhysicalEvidence,
    RetaliationReport,
)

from . import policies
from .field_labels import CHANGE, CHANGE_TYPES, FIELD
from .models import (
    Assignment,
    CaseFileExport,
    DisciplineDecision,
    Finding,
    Interview,
    Investigation,
    Note,
    OfficerSeparation,
    RefusedAssignment,
    RetaliationCheck,
    RetaliationCheckEntry,
    Review,
    State,
    Task,
    WitnessOfficer,
)

# Long texts of a complaint that no list shows: left out of list queries (a 100-row page moved and decoded them).
LIST_DEFERRED = ("complaint__narrative", "complaint__accessibility_needs", "complaint__accessibility_notes",
                 "complaint__sealed_reason", "complaint__follow_up_code_hash", "complaint__incident_time_description",
                 "investigator__password")


def with_list_data(queryset):
    """A case list's query: the cases with their complaint and investigator (what `list_rows` shows comes with
    them, except the allegations, which `list_rows` reads in one more query for the page)."""
    return queryset.select_related("complaint", "investigator").defer(*LIST_DEFERRED)


def with_allegations(queryset):
    """`with_list_data` plus every allegation with officer and category prefetched (the search export)."""
    return with_list_data(queryset).prefetch_related(
        Prefetch("complaint__allegations", queryset=Allegation.objects.select_related("officer", "category"))
    )


def _local_day(moment, tz=None):
    return moment.astimezone(tz or timezone.get_current_timezone()).date().isoformat() if moment else ""


def case_address():
    """A function giving the staff address of a case from its reference, reversing the URL once (not per row)."""
    marker = "C-0-MARKER"
    address = reverse("staff:case", args=[marker])
    return lambda reference: address.replace(marker, quote(reference, safe="-"))


def list_rows(cases, now=None):
    """What each row of a case list shows, as plain values ({'case', 'reference', 'url', 'urgent', 'sealed',
    'state', 'late', 'received', 'language', 'allegations', 'investigator', 'phase_due', 'due'}).

    One query reads the page's allegations (category code and officer, no model objects); labels, dates and the
    case address are made here once per page, so the template does no lookup, translation or URL reversing per row.
    """
    now = now or timezone.now()
    cases = list(cases)
    unidentified = gettext("unidentified")
    allegations = defaultdict(list)
    for complaint_id, agency_code, code, officer_id, rank, first, last, star in (
            Allegation.objects.filter(complaint_id__in=[case.complaint_id for case in cases]).order_by("pk")
            .values_list("complaint_id", "category__agency_code", "category__code", "officer_id", "officer__rank",
                         "officer__first_name", "officer__last_name", "officer__star_number")):
        who = Officer.name_of(rank, first, last, star) if officer_id else unidentified
        allegations[complaint_id].append(f"{agency_code or code} — {who}")
    address = case_address()
    labels = {}
    rows = []
    for case in cases:
        complaint = case.complaint
        if case.state not in labels:
            labels[case.state] = str(case.get_state_display())
        rows.append({
            "case": case, "reference": complaint.reference,
            "url": address(complaint.reference),
            "urgent": complaint.urgent, "sealed": complaint.sealed, "state": labels[case.state],
            "late": case.is_overdue(now), "received": _local_day(complaint.received_at),
            "language": complaint.language, "allegations": allegations.get(complaint.pk, ()),
            "investigator": case.investigator.get_username() if case.investigator_id else "",
            "phase_due": _local_day(case.phase_due_at), "due": _local_day(case.due_at),
        })
    return rows


# Urgent first, then oldest; the complaint id breaks ties (one investigation per complaint). The same columns as the
# index complaint_queue_order, so PostgreSQL reads a queue page in index order and stops after it.
QUEUE_ORDER = ("-complaint__urgent", "complaint__received_at", "complaint_id")
# Most pressing phase deadline first, cases without one last (on SQLite too), as the index investigation_due_order.
DUE_ORDER = (F("phase_due_at").asc(nulls_last=True), "pk")


def _in_states(user, states):
    """Visible investigations in `states`, with the state condition written once (see visible_investigations)."""
    return policies.visible_investigations(user, Investigation.objects.filter(state__in=states), within_states=states)


def triage_queue(user):
    """New complaints waiting for intake: urgent first, then oldest first."""
    return with_list_data(_in_states(user, policies.TRIAGE_STATES).order_by(*QUEUE_ORDER))


def caseload(user):
    """The user's open assigned cases, most pressing deadline first."""
    qs = policies.visible_investigations(user).open().assigned_to(user)
    return with_list_data(qs.order_by(*DUE_ORDER))


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
    return with_list_data(qs.order_by(*DUE_ORDER))


def sustained_disposition_ids():
    """Ids of the sustained dispositions (a few rows): conditions on them read index ranges instead of joining."""
    return list(Disposition.objects.filter(is_sustained=True).values_list("pk", flat=True))


def _waiting_for_discipline(user, sustained_ids=None):
    # By disposition id, so each waiting case is one probe of finding_approved_by_case (investigation,
    # disposition) with no visit to the disposition table.
    if sustained_ids is None:
        sustained_ids = sustained_disposition_ids()
    sustained = Finding.objects.filter(investigation=OuterRef("pk"), stage=Finding.Stage.APPROVED,
                                       disposition_id__in=sustained_ids)
    return policies.visible_investigations(user).filter(state=State.FINDINGS_APPROVED).filter(Exists(sustained))


def decision_queue(user, sustained_ids=None):
    """Cases with approved findings waiting for the chief's final discipline (only those with a sustained one)."""
    return _waiting_for_discipline(user, sustained_ids).select_related("complaint").defer(
        *(name for name in LIST_DEFERRED if name.startswith("complaint__"))).order_by("state_entered_at", "pk")


@dataclass(frozen=True)
class SustainedHere:
    """A sustained finding of a case on the decision queue: its officer and what the page says of it."""

    officer_id: int
    officer: str
    text: str


def _sustained_here(cases, sustained_ids):
    """{case id: [SustainedHere]} of the approved sustained findings of `cases` with an identified officer, in
    allegation order (values, no model objects)."""
    found = defaultdict(list)
    rows = (Finding.objects.filter(investigation_id__any_of=[case.pk for case in cases], stage=Finding.Stage.APPROVED,
                                   disposition_id__in=sustained_ids, allegation__officer__isnull=False)
            .order_by("investigation_id", "allegation_id", "pk")
            .values_list("investigation_id", "allegation__officer_id", "allegation__officer__rank",
                         "allegation__officer__first_name", "allegation__officer__last_name",
                         "allegation__officer__star_number", "allegation__category__agency_code",
                         "disposition__public_label"))
    for case_id, officer_id, rank, first, last, star, agency_code, disposition in rows:
        found[case_id].append(SustainedHere(officer_id, Officer.name_of(rank, first, last, star),
                                            f"{agency_code} ({disposition})"))
    return found


@dataclass(frozen=True)
class PriorFinding:
    """One finding of an officer's prior sustained history, as the decision queue shows it."""

    investigation_id: int
    reference: str
    category: str
    approved: str


def _prior_history_sql(officer_count, sustained_count):
    """The SQL of prior_sustained_history, from the models' table and column names."""
    finding, allegation, category = Finding._meta, Allegation._meta, Category._meta
    investigation, complaint = Investigation._meta, Complaint._meta

    def col(meta, name):
        return connection.ops.quote_name(meta.get_field(name).column)

    def table(meta):
        return connection.ops.quote_name(meta.db_table)

    def marks(n):
        return ", ".join(["%s"] * n)

    return (
        "SELECT r.officer_id, r.total, r.investigation_id, r.agency_code, r.recorded_at, "
        f"c.{col(complaint, 'reference')} "
        "FROM ("
        f"SELECT a.{col(allegation, 'officer')} AS officer_id, f.{col(finding, 'investigation')} AS investigation_id, "
        f"cat.{col(category, 'agency_code')} AS agency_code, f.{col(finding, 'recorded_at')} AS recorded_at, "
        f"count(*) OVER (PARTITION BY a.{col(allegation, 'officer')}) AS total, "
        f"row_number() OVER (PARTITION BY a.{col(allegation, 'officer')} "
        f"ORDER BY f.{col(finding, 'recorded_at')} DESC, f.{col(finding, 'id')} DESC) AS newest "
        f"FROM {table(finding)} f "
        f"JOIN {table(allegation)} a ON a.{col(allegation, 'id')} = f.{col(finding, 'allegation')} "
        f"JOIN {table(category)} cat ON cat.{col(category, 'id')} = a.{col(allegation, 'category')} "
        f"WHERE a.{col(allegation, 'officer')} IN ({marks(officer_count)}) "
        f"AND f.{col(finding, 'disposition')} IN ({marks(sustained_count)}) AND f.{col(finding, 'stage')} = %s"
        ") r "
        f"JOIN {table(investigation)} i ON i.{col(investigation, 'id')} = r.investigation_id "
        f"JOIN {table(complaint)} c ON c.{col(complaint, 'id')} = i.{col(investigation, 'complaint')} "
        "WHERE r.newest <= %s ORDER BY r.officer_id, r.newest"
    )


def prior_sustained_history(officer_ids, newest, sustained_ids=None):
    """{officer id: (number of approved sustained findings, the `newest` most recent of them as PriorFinding)}.

    One query ranks and counts every officer's findings from two indexes alone (finding_sustained_history,
    allegation_officer: they carry the case and the category too, so the ranking reads no table) and joins the
    complaint's reference to the few rows kept: an officer with hundreds of allegations costs index entries, not a
    pass over every finding. Plain SQL, because building this query through the ORM (a window, a filter on it, a
    second query for the references) cost more than running it, on the chief's queue page.
    """
    history = {}
    if not officer_ids:
        return history
    # The sustained dispositions by id, so PostgreSQL reads just their range of the index.
    if sustained_ids is None:
        sustained_ids = sustained_disposition_ids()
    if not sustained_ids:
        return history
    officer_ids, sustained_ids = sorted(officer_ids), list(sustained_ids)
    with connection.cursor() as cursor:
        cursor.execute(_prior_history_sql(len(officer_ids), len(sustained_ids)),
                       [*officer_ids, *sustained_ids, Finding.Stage.APPROVED.value, newest])
        ranked = cursor.fetchall()
    tz = timezone.get_current_timezone()
    for officer_id, total, investigation_id, agency_code, recorded_at, reference in ranked:
        if isinstance(recorded_at, str):  # SQLite gives a subquery's timestamp as its text (UTC, naive)
            recorded_at = datetime.datetime.fromisoformat(recorded_at)
        if recorded_at is not None and timezone.is_naive(recorded_at):
            recorded_at = timezone.make_aware(recorded_at, datetime.UTC)
        history.setdefault(officer_id, (total, []))[1].append(PriorFinding(
            investigation_id, reference, agency_code, _local_day(recorded_at, tz)))
    return history


def decision_rows(cases, shown=10, sustained_ids=None):
    """Per case of the decision queue, each officer with a sustained finding here and their prior sustained history
    (the newest `shown` findings from other cases, and how many there are), from one aggregated query."""
    if sustained_ids is None:
        sustained_ids = sustained_disposition_ids()
    sustained = _sustained_here(cases, sustained_ids) if cases else {}
    here = defaultdict(list)
    for case in cases:
        for finding in sustained.get(case.pk, ()):
            here[case.pk, finding.officer_id].append(finding)
    # Enough of each officer's newest findings to show `shown` after leaving out those of the case at hand.
    on_page = Counter()
    for (_case, officer_id), findings in here.items():
        on_page[officer_id] = max(on_page[officer_id], len(findings))
    history = prior_sustained_history(set(on_page), shown + max(on_page.values(), default=0), sustained_ids)
    address = case_address()
    rows = []
    for case in cases:
        officers = {}
        for finding in sustained.get(case.pk, ()):
            officer_id = finding.officer_id
            if officer_id in officers:
                continue
            total, newest = history.get(officer_id, (0, []))
            prior_count = total - len(here[case.pk, officer_id])
            officers[officer_id] = {
                "officer": finding.officer,
                "sustained": ", ".join(f.text for f in here[case.pk, officer_id]),
                "prior": [f for f in newest if f.investigation_id != case.pk][:shown],
                "prior_count": prior_count,
                "caption": ngettext("Prior sustained history: %(n)s finding (newest 10 shown)",
                                    "Prior sustained history: %(n)s findings (newest 10 shown)",
                                    prior_count) % {"n": prior_count},
            }
        rows.append({"case": case, "url": address(case.complaint.reference), "officers": list(officers.values())})
    return rows


FULL_REFERENCE = re.compile(r"^C-\d{4}-\d{6,}$")
SEARCH_FIELDS = ("reference", "officer", "name", "category", "status", "received_from", "received_to")
# A criterion matching at most this many complaints is handed to the case query as a list of ids.
FEW_COMPLAINTS = 2000


class AnyOf(In):
    """`field__any_of=[ids]`: on PostgreSQL `field = ANY(%s::bigint[])`, the list sent as one array parameter (an
    IN list of 583 ids cost two milliseconds a query to build, quote and parse); elsewhere `IN (...)`."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, [int(value) for value in self.rhs])


for _field in (ForeignKey, AutoField, BigAutoField):
    _field.register_lookup(AnyOf)


def _matching_complaints(qs, ids):
    """`qs` (investigations) limited to the complaints `ids` (a values_list of one column) selects: by a list of ids
    when there are few, else by the subquery.

    PostgreSQL cannot tell how few complaints a prefix, a badge or a name matches (it guessed 2,000 for 41), so it
    walked every case newest first looking for them; given the list, it reads just those cases.
    """
    found = list(ids.order_by().distinct()[: FEW_COMPLAINTS + 1])
    if len(found) <= FEW_COMPLAINTS:
        return qs.filter(complaint_id__any_of=found)
    return qs.filter(complaint_id__in=ids)


def search(user, params):
    """Cases matching every given criterion (reference, officer, name, category, status, date received)."""
    qs = policies.visible_investigations(user)
    reference = (params.get("reference") or "").strip()
    if reference:
        reference = reference.upper()
        if FULL_REFERENCE.match(reference):
            qs = qs.filter(complaint__reference=reference)  # the unique index answers this at once
        else:
            qs = _matching_complaints(qs, Complaint.objects.filter(reference__startswith=reference)
                                      .values_list("pk", flat=True))
    officer = (params.get("officer") or "").strip()
    if officer:
        # Roster officers first (indexed), then what filers gave for officers not yet identified.
        # Resolved to a list first: PostgreSQL can then combine three indexes (officer, badge given, name given
        # by trigram) instead of reading every allegation.
        officer_ids = list(Officer.objects.filter(Q(star_number=officer) | Q(last_name__iexact=officer))
                           .values_list("pk", flat=True))
        qs = _matching_complaints(qs, Allegation.objects.filter(
            Q(officer_id__in=officer_ids) | Q(officer_badge_given=officer)
            | Q(officer_name_given__icontains=officer)).values_list("complaint_id", flat=True))
    name = (params.get("name") or "").strip()
    if name:
        qs = _matching_complaints(qs, Party.objects.filter(name__icontains=name).values_list("complaint_id",
                                                                                             flat=True))
    category = (params.get("category") or "").strip()
    if category:
        # A category matches thousands: walking the cases newest first finds a page soonest.
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


# -- evidence with its chain of custody, and linked complaints (issue 12) ------------------------------------


def _with_custody():
    return Prefetch("custody", queryset=CustodyRecord.objects.select_related("from_user", "to_user", "recorded_by"))


def case_evidence(complaint):
    """(files, physical items) of the complaint, each with its custody chain, oldest first."""
    files = list(complaint.evidence.filter(derived_from__isnull=True).select_related("processing", "submitted_by")
                 .prefetch_related("derivatives", "derived_files", sealed_openings(), _with_custody()))
    items = list(complaint.physical_evidence.select_related("added_by").prefetch_related(_with_custody()))
    for evidence in files:
        evidence.gatherer = None if evidence.submitted_by_public else evidence.submitted_by
    for item in items:
        item.gatherer = item.added_by
    return files, items


# How a link reads from the other complaint's side.
INCOMING_LINK_LABELS = {
    ComplaintLink.Kind.DUPLICATE_OF: gettext_lazy("duplicate joined into this one"),
    ComplaintLink.Kind.RELATED_TO: gettext_lazy("related to"),
    ComplaintLink.Kind.SPAWNED_BY: gettext_lazy("retaliation complaint spawned by this one"),
}


def complaint_links(user, complaint):
    """The complaint's links both ways: [{'label', 'reference', 'href_ok', 'reason', 'by', 'at'}].

    A link to a case the viewer may not open shows its kind only: no reference, no reason, no name; a duplicate
    joined into this complaint is read with it (policies.can_view_joined), so its reference is shown.
    """
    links = list(ComplaintLink.objects.filter(Q(complaint=complaint) | Q(other=complaint))
                 .select_related("complaint", "other", "linked_by"))
    others = {link.other_id if link.complaint_id == complaint.pk else link.complaint_id for link in links}
    visible = set(policies.visible_investigations(user).filter(complaint_id__in=others)
                  .values_list("complaint_id", flat=True))
    rows = []
    for link in links:
        outgoing = link.complaint_id == complaint.pk
        other = link.other if outgoing else link.complaint
        joined = not outgoing and link.kind == ComplaintLink.Kind.DUPLICATE_OF
        known = other.pk in visible or (joined and not (other.sealed and not user.has_perm(
            "complaints.view_sealed_complaint")))
        rows.append({
            "label": link.get_kind_display() if outgoing else INCOMING_LINK_LABELS[link.kind],
            "reference": other.reference if known else None, "href_ok": other.pk in visible,
            "reason": link.reason if known else "", "by": link.linked_by.get_username() if known else "",
            "at": link.linked_at,
        })
    return rows


def joined_duplicates(user, complaint):
    """The duplicates closed into `complaint` that `user` may read, with their allegations, evidence and messages."""
    ids = ComplaintLink.objects.filter(other=complaint, kind=ComplaintLink.Kind.DUPLICATE_OF).values("complaint_id")
    rows = []
    for duplicate in Complaint.objects.filter(pk__in=ids).select_related("investigation").order_by("received_at"):
        if not policies.can_view_joined_evidence(user, duplicate.investigation):
            continue
        files, items = case_evidence(duplicate)
        rows.append({
            "complaint": duplicate, "files": files, "items": items,
            "allegations": list(duplicate.allegations.select_related("officer", "category")),
            "messages": list(duplicate.messages.all()),
        })
    return rows


@dataclass(frozen=True)
class HistorySource:
    """One kind of record in a case's history: its model, a label, and the history rows of one case."""

    kind: str
    label: str
    model: type
    rows: object  # callable(investigation) -> history queryset (or, with access_log, a queryset of log rows)
    access_log: bool = False
    describe: object = None  # callable(history row) -> short text; the object's number when not given


# Other apps that keep records about a case (POST referrals) add their sources from their AppConfig.ready(),
# so this app never imports them.
CASE_HISTORY_SOURCES = [
    HistorySource("case", gettext_lazy("case"), Investigation, lambda inv: Investigation.history.filter(id=inv.pk)),
    HistorySource("assignment", gettext_lazy("assignment"), Assignment,
                  lambda inv: Assignment.history.filter(investigation_id=inv.pk)),
    HistorySource("refused assignment", gettext_lazy("refused assignment"), RefusedAssignment,
                  lambda inv: RefusedAssignment.history.filter(investigation_id=inv.pk),
                  describe=lambda row: "; ".join(row.reasons or [])),
    HistorySource("finding", gettext_lazy("finding"), Finding,
                  lambda inv: Finding.history.filter(investigation_id=inv.pk),
                  describe=lambda row: f"{row.get_stage_display()}, #{row.allegation_id}"),
    HistorySource("review", gettext_lazy("review"), Review, lambda inv: Review.history.filter(investigation_id=inv.pk),
                  describe=lambda row: row.get_decision_display()),
    HistorySource("interview", gettext_lazy("interview"), Interview,
                  lambda inv: Interview.history.filter(investigation_id=inv.pk),
                  describe=lambda row: row.interviewee),
    HistorySource("note", gettext_lazy("note"), Note, lambda inv: Note.history.filter(investigation_id=inv.pk)),
    HistorySource("task", gettext_lazy("task"), Task, lambda inv: Task.history.filter(investigation_id=inv.pk),
                  describe=lambda row: row.title),
    HistorySource("witness officer", gettext_lazy("witness officer"), WitnessOfficer,
                  lambda inv: WitnessOfficer.history.filter(investigation_id=inv.pk)),
    HistorySource("retaliation check", gettext_lazy("anti-retaliation check"), RetaliationCheck,
                  lambda inv: RetaliationCheck.history.filter(investigation_id=inv.pk)),
    HistorySource("retaliation check answer", gettext_lazy("anti-retaliation check answer"), RetaliationCheckEntry,
                  lambda inv: RetaliationCheckEntry.history.filter(retaliation_check__investigation_id=inv.pk)),
    HistorySource("discipline", gettext_lazy("discipline"), DisciplineDecision,
                  lambda inv: DisciplineDecision.history.filter(investigation_id=inv.pk),
                  describe=lambda row: f"#{row.id} {row.get_kind_display()}: {row.get_outcome_display()}"),
    HistorySource("separation", gettext_lazy("officer separation"), OfficerSeparation,
                  lambda inv: OfficerSeparation.history.filter(investigation_id=inv.pk),
                  describe=lambda row: row.get_reason_display()),
    HistorySource("case file export", gettext_lazy("case file export"), CaseFileExport,
                  lambda inv: CaseFileExport.history.filter(investigation_id=inv.pk),
                  describe=lambda row: f"{row.filename} SHA-256 {row.sha256}"),
    HistorySource("complaint", gettext_lazy("complaint"), Complaint,
                  lambda inv: Complaint.history.filter(id=inv.complaint_id)),
    HistorySource("allegation", gettext_lazy("allegation"), Allegation,
                  lambda inv: Allegation.history.filter(complaint_id=inv.complaint_id)),
    HistorySource("party", gettext_lazy("party"), Party,
                  lambda inv: Party.history.filter(complaint_id=inv.complaint_id)),
    HistorySource("evidence processing", gettext_lazy("evidence processing"), EvidenceProcessing,
                  lambda inv: EvidenceProcessing.history.filter(evidence__complaint_id=inv.complaint_id),
                  describe=lambda row: f"#{row.evidence_id} {row.state}"),
    HistorySource("derived copy", gettext_lazy("copy made from evidence"), DerivedFile,
                  lambda inv: DerivedFile.history.filter(original__complaint_id=inv.complaint_id),
                  describe=lambda row: f"#{row.original_id} {row.purpose} SHA-256 {row.sha256}"),
    HistorySource("evidence", gettext_lazy("evidence"), Evidence,
                  lambda inv: Evidence.history.filter(complaint_id=inv.complaint_id),
                  describe=lambda row: row.original_name),
    HistorySource("physical evidence", gettext_lazy("physical evidence"), PhysicalEvidence,
                  lambda inv: PhysicalEvidence.history.filter(complaint_id=inv.complaint_id),
                  describe=lambda row: row.description[:80]),
    HistorySource("custody", gettext_lazy("chain of custody"), CustodyRecord,
                  lambda inv: CustodyRecord.history.filter(
                      Q(evidence__complaint_id=inv.complaint_id) | Q(item__complaint_id=inv.complaint_id)),
                  describe=lambda row: row.get_kind_display()),
    HistorySource("complaint link", gettext_lazy("linked complaint"), ComplaintLink,
                  lambda inv: ComplaintLink.history.filter(
                      Q(complaint_id=inv.complaint_id) | Q(other_id=inv.complaint_id)),
                  describe=lambda row: row.get_kind_display()),
    HistorySource("message", gettext_lazy("message"), Message,
                  lambda inv: Message.history.filter(complaint_id=inv.complaint_id)),
    HistorySource("translation", gettext_lazy("translation"), ComplaintTranslation,
                  lambda inv: ComplaintTranslation.history.filter(complaint_id=inv.complaint_id)),
    HistorySource("retaliation report", gettext_lazy("retaliation report"), RetaliationReport,
                  lambda inv: RetaliationReport.history.filter(complaint_id=inv.complaint_id)),
    HistorySource("evidence view", gettext_lazy("evidence viewed"), EvidenceAccess,
                  lambda inv: EvidenceAccess.objects.filter(evidence__complaint_id=inv.complaint_id)
                  .select_related("evidence", "user"), access_log=True),
]

# History models that are not about one case (the roster, settings, rule sets): the timeline leaves them out on
# purpose. Every other history model must be a case source (tests/investigations/test_timeline.py checks it).
NOT_CASE_HISTORY = {
    "complaints.category", "complaints.disposition", "complaints.unit", "complaints.officer",
    "investigations.deadlinepolicy", "investigations.encounterlog",
    # A filer's address for "there is news" notices is shown to no staff member (notices.policies).
    "notices.noticeaddress",
    # Voluntary demographics are only counted for public statistics, never shown with a complaint.
    "complaints.filerdemographics",
    # Role grants are about staff accounts (complaints.views.role_grants), not about a case.
    "complaints.rolechange",
    # Early intervention is non-disciplinary and about an officer, never part of a case or its case file.
    "early_intervention.alert", "early_intervention.alertdecision", "early_intervention.eventtype",
    "early_intervention.followupreview", "early_intervention.intervention", "early_intervention.officerevent",
    "early_intervention.rule",
    # A staff member's own saved searches are about their work, not about a case.
    "investigations.savedsearch",
    # Published statistics are about a period, not about a case.
    "publicdata.release", "publicdata.releasefile",
}

_UNCOMPARED = {"id", "history_id", "history_date", "history_type", "history_user", "history_user_id",
               "history_actor", "history_change_reason", "chain_seq", "chain_prev", "chain_hash", "chain_lane"}


def register_case_history(source):
    """Add another app's records to every case's timeline (called from that app's AppConfig.ready())."""
    if all(existing.kind != source.kind for existing in CASE_HISTORY_SOURCES):
        CASE_HISTORY_SOURCES.append(source)


def _changes(row, previous):
    """[(field label, before, after)] for each field that changed since the object's previous history row."""
    if previous is None or row.history_type != "~":
        return []
    changes = []
    for field in row.instance_type._meta.concrete_fields:
        if field.attname in _UNCOMPARED:
            continue
        before, after = getattr(previous, field.attname), getattr(row, field.attname)
        if before != after:
            # Verbose names are marked for translation in field_labels (most are made from the attribute name).
            changes.append((pgettext(FIELD, str(field.verbose_name)), _shown(field, before, previous),
                            _shown(field, after, row)))
    return changes


def _shown(field, value, row):
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def timeline(investigation):
    """Everything that happened to the case, oldest first: when, who, what, why, and what changed.

    The one history of a case: the staff case page and the case-file PDF both read it.
    """
    events = []
    for source in CASE_HISTORY_SOURCES:
        if source.access_log:
            for access in source.rows(investigation):
                events.append({
                    "at": access.at, "kind": source.kind, "label": source.label, "who": access.user.get_username(),
                    "change": access.get_action_display(), "reason": "", "what": access.evidence.original_name,
                    "changes": [],
                })
            continue
        previous = {}
        for row in source.rows(investigation).order_by("history_date", "history_id"):
            event = {"at": row.history_date, "kind": source.kind, "label": source.label, "who": row.history_actor,
                     "change": pgettext(CHANGE, CHANGE_TYPES[row.history_type]), "reason": row.history_change_reason,
                     "what": source.describe(row) if source.describe else f"#{row.id}",
                     "changes": _changes(row, previous.get(row.id))}
            if source.kind == "case":
                before = previous.get(row.id)
                event["from_state"] = before.state if before else None
                event["to_state"] = row.state
                event["from_state_label"] = State(before.state).label if before else None
                event["to_state_label"] = State(row.state).label
                event["state_changed"] = before is None or before.state != row.state
            previous[row.id] = row
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


def sealed_openings():
    """A prefetch of each evidence file's openings of its sealed original (who, when, why), oldest first, into
    `sealed_openings`: the case page and the case file show them beside the file."""
    return Prefetch("accesses", to_attr="sealed_openings", queryset=EvidenceAccess.objects.filter(
        action=EvidenceAccess.Action.OPEN_SEALED).select_related("user").order_by("at", "pk"))


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
        tasks = my_tasks(user)
        queues.append((_("My tasks"), "staff:my_tasks", tasks.count()))
        queues.append((_("My overdue tasks"), "staff:my_tasks", tasks.filter(due_on__lt=today).count()))
    if policies.can_view_board(user):
        queues.append((_("Awaiting assignment"), "staff:board", visible.filter(state=State.TRIAGED).count()))
        queues.append((_("Awaiting supervisor review"), "staff:board",
                       visible.filter(state=State.SUPERVISOR_REVIEW).count()))
        queues.append((_("Overdue cases"), "staff:board", visible.overdue(now).count()))
        queues.append((_("Awaiting my review"), "staff:awaiting_review", awaiting_review(user).count()))
    if policies.can_view_decision_queue(user):
        queues.append((_("Decision queue"), "staff:decisions", decision_queue(user).count()))
    if policies.can_read_referrals(user):
        # Looked up by label: the referral app depends on this one, never the other way round at import time.
        referrals = policies.without_excluded_cases(user, apps.get_model("referrals", "Referral").objects.all())
        queues.append((_("POST referrals due"), "referrals:queue", referrals.due(today).count()))
        queues.append((_("POST referrals overdue"), "referrals:queue", referrals.overdue(today).count()))
        if policies.can_work_referrals(user):
            from referrals.conf import coming_due_days

            queues.append((_("POST referrals coming due"), "referrals:coming_due",
                           referrals.coming_due(today, coming_due_days()).count()))
    if policies.can_view_export_log(user):
        exports = policies.without_excluded_cases(user, apps.get_model("referrals", "ExportLog").objects.filter(
            exported_at__gte=now - datetime.timedelta(days=30)))
        queues.append((_("Exports in the last 30 days"), "referrals:export_log", exports.count()))
    if policies.can_view_evidence_access_log(user):
        recent = policies.visible_evidence_accesses(user, EvidenceAccess.objects.filter(
            at__gte=now - datetime.timedelta(days=7)))
        queues.append((_("Evidence views in the last 7 days"), "staff:access_log", recent.count()))
    return queues


# -- work that finds the person (each list only what the user may see) ---------------------------------------


def my_tasks(user):
    """Open tasks of the cases assigned to `user` (the investigator does a case's tasks), soonest due first and
    tasks without a due date last."""
    cases = policies.visible_investigations(user).open().assigned_to(user)
    return (Task.objects.filter(investigation__in=cases, done_at__isnull=True, carried_over_at__isnull=True)
            .select_related("investigation__complaint")
            .order_by(F("due_on").asc(nulls_last=True), "pk"))


def awaiting_review(user):
    """Cases submitted for supervisor review that `user` may review (never one they investigated), oldest first."""
    qs = _in_states(user, (State.SUPERVISOR_REVIEW,)).exclude(investigator=user)
    return with_list_data(qs.order_by("state_entered_at", "pk"))


def awaiting_decision(user):
    """The decision queue as a list of cases: what waits for the chief's final discipline, oldest first."""
    return with_list_data(_waiting_for_discipline(user).order_by("state_entered_at", "pk"))
