"""The process: an Investigation per complaint, moved by a state machine, and everything recorded on the way.

Every model is a `complaints.records.Record` (history-tracked, never deleted). State changes go through
`investigations.services`; the transitions here declare where a case may go, who may move it and on what
conditions, and the services add the named errors and the history reasons.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from complaints.models import Allegation, Complaint, Disposition, Officer, Party
from complaints.records import Record, RecordQuerySet

from . import policies


class State(models.TextChoices):
    RECEIVED = "received", _("received")
    TRIAGED = "triaged", _("triaged")
    ASSIGNED = "assigned", _("assigned")
    INVESTIGATING = "investigating", _("investigating")
    RETALIATION_CHECK = "retaliation_check", _("anti-retaliation check")
    SUPERVISOR_REVIEW = "supervisor_review", _("supervisor review")
    FINDINGS_APPROVED = "findings_approved", _("findings approved")
    CLOSED = "closed", _("closed")
    REFERRED = "referred", _("referred out")
    ADMINISTRATIVELY_CLOSED = "administratively_closed", _("administratively closed")


STATE_LABELS = dict(State.choices)
FINAL_STATES = (State.CLOSED, State.REFERRED, State.ADMINISTRATIVELY_CLOSED)
OPEN_STATES = tuple(s for s in State.values if s not in FINAL_STATES)
# States where an assigned investigator is working the case (the "caseload").
WORKING_STATES = (State.ASSIGNED, State.INVESTIGATING, State.RETALIATION_CHECK)

# Target days per phase and overall; DeadlinePolicy rows override these. Deadlines are shown, never enforced:
# a late case stays open until a person closes it.
DEFAULT_TARGET_DAYS = {
    State.RECEIVED: 3,
    State.TRIAGED: 5,
    State.ASSIGNED: 7,
    State.INVESTIGATING: 90,
    State.RETALIATION_CHECK: 7,
    State.SUPERVISOR_REVIEW: 14,
    State.FINDINGS_APPROVED: 30,
    "overall": 180,
}


class DeadlinePolicy(Record):
    """The agency's target number of days for one phase (a state) or for the whole case ('overall')."""

    phase = models.CharField(max_length=30, unique=True)
    target_days = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "deadline policies"

    def __str__(self):
        return f"{self.phase}: {self.target_days} days"

    @classmethod
    def target_days_for(cls, phase):
        row = cls.objects.filter(phase=phase).values_list("target_days", flat=True).first()
        if row is not None:
            return row
        return DEFAULT_TARGET_DAYS.get(phase)


class InvestigationQuerySet(RecordQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def in_state(self, *states):
        return self.filter(state__in=states)

    def assigned_to(self, user):
        return self.filter(investigator=user)

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.open().filter(Q(phase_due_at__lt=now) | Q(due_at__lt=now))

    def unsealed(self):
        return self.filter(complaint__sealed=False)


class Investigation(ConcurrentTransitionMixin, Record):
    """The internal-affairs process for one complaint; its state says where the case stands."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="investigation")
    state = FSMField(max_length=30, choices=State.choices, default=State.RECEIVED, protected=True, db_index=True)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )
    state_entered_at = models.DateTimeField(default=timezone.now)
    phase_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    referred_to = models.CharField(max_length=200, blank=True)
    # The reason the public may read in the follow-up portal (referral, administrative close, reopening).
    public_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = InvestigationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["investigator", "state"]),
            # The staff lists' orders (investigations.queries): a page is read in index order, not sorted.
            models.Index(fields=["investigator", "phase_due_at", "id"], name="investigation_caseload_order"),
            models.Index(fields=["phase_due_at", "id"], name="investigation_due_order"),
            models.Index(fields=["state", "state_entered_at", "id"], name="investigation_state_order"),
            # The supervisor board's open and overdue cases per investigator, counted from this index alone.
            models.Index(fields=["investigator", "phase_due_at", "due_at", "id"],
                         condition=Q(state__in=OPEN_STATES, investigator__isnull=False),
                         name="investigation_open_workload"),
            # The triage queue and the board's unassigned cases walk complaint_queue_order and ask each complaint
            # whether its case is waiting: a probe of this small index, without reading the case row.
            models.Index(fields=["complaint"], condition=Q(state__in=policies.TRIAGE_STATES),
                         name="investigation_waiting_triage"),
        ]
        permissions = [
            ("triage_investigation", "Can triage complaints and refer them out"),
            ("assign_investigation", "Can assign and reassign investigators"),
            ("work_investigation", "Can work an assigned investigation"),
            ("review_investigation", "Can review investigations and close them"),
            ("decide_discipline", "Can record final discipline"),
            ("record_separation", "Can record an officer's separation"),
        ]

    def __str__(self):
        return f"{self.complaint.reference} ({self.get_state_display()})"

    def get_state_display(self):
        # Django's version translates every state's label on each call: a list of 100 cases spent a tenth of its
        # time there.
        return STATE_LABELS.get(self.state, self.state)

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    def is_overdue(self, now=None):
        now = now or timezone.now()
        if not self.is_open:
            return False
        return bool((self.phase_due_at and self.phase_due_at < now) or (self.due_at and self.due_at < now))

    def enter_phase(self, state, now=None):
        """Set the phase clock for `state` (called by each transition after it changes the state)."""
        now = now or timezone.now()
        self.state_entered_at = now
        days = DeadlinePolicy.target_days_for(state) if state in OPEN_STATES else None
        self.phase_due_at = now + datetime.timedelta(days=days) if days else None
        self.closed_at = now if state in FINAL_STATES else None

    # -- conditions --------------------------------------------------------------------------------------

    def allegations_without_finding(self):
        """Allegations with no recommended finding in the current round of work."""
        found = Finding.objects.filter(investigation=self, stage=Finding.Stage.RECOMMENDED).values("allegation")
        return list(self.complaint.allegations.exclude(pk__in=found))

    def has_all_findings(self):
        return self.complaint.allegations.exists() and not self.allegations_without_finding()

    def current_retaliation_check(self):
        """The anti-retaliation check recorded since the case last entered the check phase, if any."""
        if self.state != State.RETALIATION_CHECK:
            return None
        return self.retaliation_checks.filter(performed_at__gte=self.state_entered_at).order_by("-pk").first()

    def has_current_retaliation_check(self):
        return self.current_retaliation_check() is not None

    def sustained_officers(self):
        """Officers with at least one approved sustained finding in this case."""
        return Officer.objects.filter(
            allegations__findings__investigation=self,
            allegations__findings__stage=Finding.Stage.APPROVED,
            allegations__findings__disposition__is_sustained=True,
        ).distinct()

    def has_sustained_findings(self):
        return self.sustained_officers().exists()

    def officers_awaiting_discipline(self):
        decided = DisciplineDecision.objects.filter(investigation=self, changes__isnull=True,
                                                    decided_at__gte=self.state_entered_at).values("officer")
        return list(self.sustained_officers().exclude(pk__in=decided))

    def accused_officers(self):
        return Officer.objects.filter(allegations__complaint_id=self.complaint_id).distinct()

    # -- transitions (called only by investigations.services) --------------------------------------------

    @transition(field=state, source=State.RECEIVED, target=State.TRIAGED, permission=policies.may_triage)
    def triage(self):
        pass

    @transition(field=state, source=State.TRIAGED, target=State.ASSIGNED, permission=policies.may_assign)
    def assign(self, investigator):
        self.investigator = investigator

    @transition(field=state, source=State.ASSIGNED, target=State.INVESTIGATING, permission=policies.may_work)
    def start(self):
        pass

    @transition(field=state, source=State.INVESTIGATING, target=State.RETALIATION_CHECK,
                permission=policies.may_work)
    def begin_retaliation_check(self):
        pass

    @transition(field=state, source=State.RETALIATION_CHECK, target=State.INVESTIGATING,
                permission=policies.may_work)
    def resume_investigation(self):
        pass

    @transition(field=state, source=State.RETALIATION_CHECK, target=State.SUPERVISOR_REVIEW,
                conditions=[has_all_findings, has_current_retaliation_check], permission=policies.may_work)
    def submit_for_review(self):
        pass

    @transition(field=state, source=State.SUPERVISOR_REVIEW, target=State.FINDINGS_APPROVED,
                permission=policies.may_review)
    def approve(self):
        pass

    @transition(field=state, source=State.SUPERVISOR_REVIEW, target=State.INVESTIGATING,
                permission=policies.may_review)
    def return_for_more_work(self):
        pass

    @transition(field=state, source=State.FINDINGS_APPROVED, target=State.CLOSED,
                conditions=[lambda inv: not inv.officers_awaiting_discipline() and inv.has_sustained_findings()],
                permission=policies.may_decide_discipline)
    def complete_discipline(self):
        pass

    @transition(field=state, source=State.FINDINGS_APPROVED, target=State.CLOSED,
                conditions=[lambda inv: not inv.has_sustained_findings()], permission=policies.may_review)
    def close(self):
        pass

    @transition(field=state, source=State.CLOSED, target=State.INVESTIGATING, permission=policies.may_review,
                conditions=[lambda inv: inv.investigator_id is not None])
    def reopen(self):
        pass

    @transition(field=state, source=[State.RECEIVED, State.TRIAGED], target=State.REFERRED,
                permission=policies.may_triage)
    def refer_out(self, referred_to):
        self.referred_to = referred_to

    @transition(field=state, source=[State.RECEIVED, State.TRIAGED, State.ASSIGNED],
                target=State.ADMINISTRATIVELY_CLOSED, permission=policies.may_review)
    def close_administratively(self):
        pass

    # A duplicate is closed into its main case at any point before review: it was one incident all along, and
    # its evidence, allegations and messages stay readable from the main case (complaints.ComplaintLink).
    @transition(field=state, source=[State.RECEIVED, State.TRIAGED, State.ASSIGNED, State.INVESTIGATING,
                                     State.RETALIATION_CHECK],
                target=State.ADMINISTRATIVELY_CLOSED, permission=policies.may_close_as_duplicate)
    def close_as_duplicate(self):
        pass


# Buttons on the case page, in display order: transition name -> (label, needs a reason).
TRANSITION_LABELS = {
    "triage": (_("Triage"), False),
    "assign": (_("Assign investigator"), False),
    "start": (_("Start investigation"), False),
    "begin_retaliation_check": (_("Begin anti-retaliation check"), False),
    "resume_investigation": (_("Back to investigating"), True),
    "submit_for_review": (_("Submit for supervisor review"), False),
    "approve": (_("Approve findings"), False),
    "return_for_more_work": (_("Return for more work"), True),
    "complete_discipline": (_("Close after discipline"), False),
    "close": (_("Close (nothing sustained)"), False),
    "reopen": (_("Reopen"), True),
    "refer_out": (_("Refer out"), True),
    "close_administratively": (_("Close administratively"), True),
}


class Assignment(Record):
    """One assignment of an investigator to a case, with the conflict-of-interest attestation they made."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="assignments")
    investigator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    attested_no_relationship = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assigned_at", "pk"]


class WitnessOfficer(Record):
    """An officer who saw what happened (not accused); may not investigate the case."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="witness_officers")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="witnessed_cases")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["investigation", "officer"], name="unique_witness_officer")]


class Finding(Record):
    """A finding on one allegation: the investigator's recommendation, or the supervisor's approved finding.

    The chief's final outcome is a DisciplineDecision. A changed finding is saved again, so history keeps
    every earlier version.
    """

    class Stage(models.TextChoices):
        RECOMMENDED = "recommended", _("recommended by the investigator")
        APPROVED = "approved", _("approved by the supervisor")

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="findings")
    allegation = models.ForeignKey(Allegation, on_delete=models.PROTECT, related_name="findings")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    disposition = models.ForeignKey(Disposition, on_delete=models.PROTECT, related_name="findings")
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["allegation_id", "stage"]
        constraints = [models.UniqueConstraint(fields=["allegation", "stage"], name="one_finding_per_stage")]
        indexes = [
            # The decision queue: does a case have an approved sustained finding, and the officers' prior sustained
            # findings (queries.prior_sustained_history); answered from these indexes alone, not every finding.
            models.Index(fields=["investigation", "disposition"], condition=Q(stage="approved"),
                         name="finding_approved_by_case"),
            models.Index(fields=["disposition", "allegation", "recorded_at", "id"], include=["investigation"],
                         condition=Q(stage="approved"), name="finding_sustained_history"),
            # Which cases have a sustained approved finding, for the decision queue's count and pages: the sustained
            # dispositions' range of this index, merged with the waiting cases (no probe per case).
            models.Index(fields=["disposition", "investigation"], condition=Q(stage="approved"),
                         name="finding_sustained_by_case"),
        ]


class Interview(Record):
    class Kind(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        PHONE = "phone", _("telephone")
        VIDEO = "video", _("video call")
        WRITTEN = "written", _("written statement")

    class IntervieweeRole(models.TextChoices):
        COMPLAINANT = "complainant", _("complainant")
        WITNESS = "witness", _("civilian witness")
        ACCUSED = "accused", _("accused officer")
        WITNESS_OFFICER = "witness_officer", _("witness officer")

    class RightsNotice(models.TextChoices):
        NOT_APPLICABLE = "n/a", _("not applicable (civilian)")
        GARRITY = "garrity", _("Garrity warning given")
        MIRANDA = "miranda", _("Miranda warning given")
        NONE = "none", _("no notice given")

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="interviews")
    interviewee = models.CharField(max_length=200)
    interviewee_role = models.CharField(max_length=20, choices=IntervieweeRole.choices)
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="interviews")
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="interviews")
    held_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    rights_notice = models.CharField(max_length=20, choices=RightsNotice.choices)
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_at", "pk"]


class Note(Record):
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["written_at", "pk"]


class Task(Record):
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    # A task still to do when the case closes is carried over (a recorded decision), never left open silently.
    carried_over_at = models.DateTimeField(null=True, blank=True)
    carried_over_note = models.TextField(blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "pk"]

    @property
    def is_open(self):
        return self.done_at is None and self.carried_over_at is None


class Review(Record):
    """A supervisor's decision on submitted findings; every return is kept."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for more work")

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]


class RetaliationCheck(Record):
    """The investigator's anti-retaliation check before supervisor review (one per round of review)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="retaliation_checks")
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    performed_at = models.DateTimeField(default=timezone.now)
    portal_reports_seen = models.PositiveIntegerField(default=0)
    concern_found = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    spawned_complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The linked retaliation complaint opened because of a concern."),
    )

    class Meta:
        ordering = ["performed_at", "pk"]


class RetaliationCheckEntry(Record):
    """What the check found for one identified complainant or witness."""

    retaliation_check = models.ForeignKey(RetaliationCheck, on_delete=models.PROTECT, related_name="entries")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    encounters_found = models.PositiveIntegerField(default=0)
    contact_found = models.BooleanField(default=False)
    asked_about_retaliation = models.BooleanField(default=False)
    retaliation_described = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]


class EncounterLog(Record):
    """One stop, arrest or citation from the agency's records, imported from CSV (import_encounters)."""

    class Kind(models.TextChoices):
        STOP = "stop", _("stop")
        ARREST = "arrest", _("arrest")
        CITATION = "citation", _("citation")

    source_id = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(db_index=True)
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="encounters")
    officer_star = models.CharField(max_length=20, blank=True)
    subject_name = models.CharField(max_length=200)
    subject_name_key = models.CharField(max_length=200, db_index=True, editable=False)
    location = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["officer", "occurred_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.source_id}"

    @staticmethod
    def name_key(name):
        return " ".join((name or "").casefold().split())

    def save(self, *args, **kwargs):
        self.subject_name_key = self.name_key(self.subject_name)
        super().save(*args, **kwargs)


class DisciplineDecision(Record):
    """The chief's final discipline for one officer, or a later change (appeal, grievance, arbitration, court).

    A change is a new row pointing at the decision it changes; the original is never rewritten.
    """

    class Outcome(models.TextChoices):
        NONE = "none", _("no discipline")
        COUNSELING = "counseling", _("counseling")
        RETRAINING = "retraining", _("retraining")
        WRITTEN_REPRIMAND = "written_reprimand", _("written reprimand")
        SUSPENSION = "suspension", _("suspension")
        DEMOTION = "demotion", _("demotion")
        TERMINATION = "termination", _("termination")

    class Kind(models.TextChoices):
        FINAL = "final", _("final decision by the chief")
        APPEAL = "appeal", _("changed on appeal")
        GRIEVANCE = "grievance", _("changed by grievance")
        ARBITRATION = "arbitration", _("changed by arbitration")
        COURT = "court", _("changed by a court")

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="discipline_decisions")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="discipline_decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FINAL)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    suspension_days = models.PositiveIntegerField(null=True, blank=True)
    effective_date = models.DateField()
    reason = models.TextField(blank=True)
    changes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="changed_by",
        help_text=_("The decision this one changes (appeal, grievance, arbitration, court)."),
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]


class OfficerSeparation(Record):
    """An officer leaving the agency, recorded (with the case open at the time, if any). Never closes a case."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="separations")
    investigation = models.ForeignKey(
        Investigation, null=True, blank=True, on_delete=models.PROTECT, related_name="officer_separations"
    )
    separation_date = models.DateField()
    reason = models.CharField(max_length=20, choices=Officer.SeparationReason.choices)
    notes = models.TextField(blank=True)
    # Whether the officer had been served notice of this investigation before leaving (Illinois 50 ILCS 705/9.2).
    notice_served = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["separation_date", "pk"]


class CaseFileExport(Record):
    """One export of a whole case file: who, when, the SHA-256 of the PDF and the history chain head.

    Append-only (guarded in the database), so a printed case file can later be checked against this row.
    Exports before this model existed are in the referrals app's export log (kind "case file").
    """

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="case_file_exports")
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    chain_head = models.CharField(max_length=64)
    language = models.CharField(max_length=10, blank=True)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-exported_at", "-pk"]
        permissions = [("export_case_file", "Can export a whole case file (investigators: assigned cases only)")]

    def __str__(self):
        return f"{self.filename} {self.sha256[:12]}"


class RefusedAssignment(Record):
    """An assignment the conflict-of-interest check refused: who tried, whom, when and every reason.

    Kept (append-only) so the case history shows attempts to give a case to someone who may not work it.
    """

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="refused_assignments")
    investigator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attempted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(default=list)
    attempted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempted_at", "pk"]

    def __str__(self):
        return f"{self.investigator} refused on {self.investigation_id}"


# -- search (issue 12 item 3) ---------------------------------------------------------------------------------


class SearchDocument(models.Model):
    """One text of a case as the full-text index holds it: the account, a staff translation, a note, an interview.

    Derived from the record it copies (never the record itself), written by investigations.search from the
    services that write those texts. The database keeps the searchable form beside it: on PostgreSQL a generated
    tsvector column (`document`, stemmed with `config`) under a GIN index; on SQLite the FTS5 table
    investigations_search_fts, filled by triggers. Both come from migration 0008, outside the model: on SQLite an
    altering migration rebuilds this table and drops those triggers, so it must create them again.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("the complainant's account")
        TRANSLATION = "translation", _("staff translation")
        NOTE = "note", _("case note")
        INTERVIEW = "interview", _("interview summary")

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=10, blank=True)
    config = models.CharField(max_length=20, default="simple")
    body = models.TextField()
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "source_id"], name="search_document_source")]
        indexes = [models.Index(fields=["investigation"], name="search_document_case")]

    def __str__(self):
        return f"{self.kind} #{self.source_id}"


class SavedSearch(Record):
    """A staff member's named search (the query string of the search page); removing it hides it, nothing more."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    query = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "hidden_at"], name="saved_search_owner")]

    def __str__(self):
        return self.name
