"""Early intervention: imported officer events, versioned rules, alerts someone must answer, interventions.

Non-disciplinary by design: nothing here is read by discipline decisions or POST referral packets. Every model
is a `complaints.records.Record` (history-tracked, never deleted): a corrected event or a changed rule is a new
row, and the row it replaces stays readable.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from complaints.models import Officer, Unit
from complaints.records import Record, RecordQuerySet

from . import policies


class EventType(Record):
    """A kind of event imported from another department system (use of force, pursuit, ...): data, not code."""

    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.display()

    def display(self):
        return gettext(self.label)


class OfficerEventQuerySet(RecordQuerySet):
    def current(self):
        """Events not superseded by a correction."""
        return self.filter(~Exists(OfficerEvent.objects.filter(supersedes=OuterRef("pk"))))


class OfficerEvent(Record):
    """One event about an officer from another system, keyed by (source, source_id).

    A correction is a new row with the next revision that supersedes the previous one; nothing is updated.
    """

    source = models.CharField(max_length=60)
    source_id = models.CharField(max_length=100)
    revision = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="events")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="ei_events")
    occurred_at = models.DateTimeField()
    # Only final reports count toward a rule (a draft use-of-force report may still change).
    is_final = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    objects = OfficerEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id", "revision"],
                                               name="ei_event_one_row_per_revision")]
        indexes = [models.Index(fields=["officer", "occurred_at"], name="ei_event_officer_time"),
                   models.Index(fields=["occurred_at"], name="ei_event_time")]

    def __str__(self):
        return f"{self.event_type} {self.source}:{self.source_id}"


class Rule(Record):
    """One version of an early-intervention rule; a change is a new version with a later effective date."""

    class Kind(models.TextChoices):
        THRESHOLD = "threshold", _("threshold")
        PEER = "peer", _("peer comparison")

    code = models.SlugField(max_length=60, help_text=_("The rule's name; every version of a rule shares it."))
    version = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    indicators = models.JSONField(help_text=_(
        "A list of indicator codes counted together. From our records: complaint_received, "
        "allegation:<category code>, sustained_finding, retaliation_concern. Imported: event:<event type code>."))
    threshold_count = models.PositiveIntegerField(null=True, blank=True, help_text=_(
        "Threshold rules: an alert when the officer has at least this many events in the window."))
    window_days = models.PositiveIntegerField(default=365)
    assignment_type = models.CharField(max_length=20, blank=True, choices=Officer.AssignmentType.choices,
                                       help_text=_("Peer group: officers with this assignment (blank: all)."))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text=_("Peer group: officers of this unit (blank: all units)."))
    percentile = models.PositiveIntegerField(null=True, blank=True, help_text=_(
        "Peer-comparison rules: an alert when the officer is above this percentile of the peer group."))
    minimum_count = models.PositiveIntegerField(default=1, help_text=_(
        "Peer-comparison rules: never an alert below this many events."))
    effective_from = models.DateField(default=datetime.date(2000, 1, 1))
    retired = models.BooleanField(default=False, help_text=_("A version that ends the rule from its date."))
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="ei_rule_one_row_per_version")]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class AlertState(models.TextChoices):
    NEW = "new", _("new")
    SUPERVISOR_REVIEW = "supervisor_review", _("supervisor review")
    CHAIN_OF_COMMAND_REVIEW = "chain_of_command_review", _("chain-of-command review")
    INTERVENTION_PENDING = "intervention_pending", _("intervention pending")
    MONITORING = "monitoring", _("monitoring")
    RESOLVED = "resolved", _("resolved")
    FALSE_POSITIVE = "false_positive", _("false positive")
    NO_ACTION_NEEDED = "no_action_needed", _("no action needed")


CLOSED_STATES = (AlertState.RESOLVED, AlertState.FALSE_POSITIVE, AlertState.NO_ACTION_NEEDED)
# States in which nobody has acted on the alert yet: past the answer date they are flagged on the board.
UNANSWERED_STATES = (AlertState.NEW, AlertState.SUPERVISOR_REVIEW, AlertState.CHAIN_OF_COMMAND_REVIEW,
                     AlertState.INTERVENTION_PENDING)
REVIEW_STATES = (AlertState.NEW, AlertState.SUPERVISOR_REVIEW, AlertState.CHAIN_OF_COMMAND_REVIEW)


class AlertQuerySet(RecordQuerySet):
    def open(self):
        return self.exclude(state__in=CLOSED_STATES)

    def unanswered_past_due(self, now=None):
        return self.filter(state__in=UNANSWERED_STATES, due_at__lt=now or timezone.now())


class Alert(ConcurrentTransitionMixin, Record):
    """A rule version fired for an officer on the events listed in `triggers`; someone must answer it."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="ei_alerts")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="alerts")
    state = FSMField(max_length=30, choices=AlertState.choices, default=AlertState.NEW, protected=True,
                     db_index=True)
    raised_at = models.DateTimeField(default=timezone.now)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    event_count = models.PositiveIntegerField()
    peer_value = models.FloatField(null=True, blank=True, help_text=_("The peer group's percentile value."))
    # Indicator references such as "complaint:12" or "event:40" (see early_intervention.indicators).
    triggers = models.JSONField()
    trigger_key = models.CharField(max_length=64, editable=False)
    due_at = models.DateTimeField()

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["officer", "rule", "trigger_key"],
                                               name="ei_alert_once_per_event_set")]
        permissions = [
            ("view_early_intervention", "Can see early-intervention records"),
            ("answer_alert", "Can answer early-intervention alerts and record interventions"),
        ]

    def __str__(self):
        return f"{self.rule} — {self.officer}"

    @property
    def is_open(self):
        return self.state not in CLOSED_STATES

    def is_overdue(self, now=None):
        return self.state in UNANSWERED_STATES and self.due_at < (now or timezone.now())

    # -- transitions (called only by early_intervention.services) ------------------------------------------

    @transition(field=state, source=AlertState.NEW, target=AlertState.SUPERVISOR_REVIEW,
                permission=policies.may_answer_alert)
    def begin_review(self):
        pass

    @transition(field=state, source=AlertState.SUPERVISOR_REVIEW, target=AlertState.CHAIN_OF_COMMAND_REVIEW,
                permission=policies.may_answer_alert)
    def escalate(self):
        pass

    @transition(field=state, source=[AlertState.SUPERVISOR_REVIEW, AlertState.CHAIN_OF_COMMAND_REVIEW],
                target=AlertState.INTERVENTION_PENDING, permission=policies.may_answer_alert)
    def plan_intervention(self):
        pass

    @transition(field=state, source=[AlertState.SUPERVISOR_REVIEW, AlertState.CHAIN_OF_COMMAND_REVIEW,
                                     AlertState.INTERVENTION_PENDING],
                target=AlertState.MONITORING, permission=policies.may_answer_alert)
    def record_intervention(self):
        pass

    @transition(field=state, source=AlertState.MONITORING, target=AlertState.RESOLVED,
                permission=policies.may_answer_alert)
    def resolve(self):
        pass

    @transition(field=state, source=REVIEW_STATES, target=AlertState.FALSE_POSITIVE,
                permission=policies.may_answer_alert)
    def mark_false_positive(self):
        pass

    @transition(field=state, source=REVIEW_STATES, target=AlertState.NO_ACTION_NEEDED,
                permission=policies.may_answer_alert)
    def mark_no_action_needed(self):
        pass


class AlertDecision(Record):
    """One move of an alert: who, when, from, to and the written reason."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="decisions")
    from_state = models.CharField(max_length=30, choices=AlertState.choices)
    to_state = models.CharField(max_length=30, choices=AlertState.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]


class Intervention(Record):
    """Support given to an officer in answer to an alert (never discipline), with a follow-up review date."""

    class Kind(models.TextChoices):
        COUNSELING = "counseling", _("counseling by a supervisor")
        TRAINING = "training", _("training")
        PEER_SUPPORT = "peer_support", _("peer support")
        EAP_REFERRAL = "eap_referral", _("employee-assistance referral")
        MENTAL_HEALTH_REFERRAL = "mental_health_referral", _("mental-health referral")
        REASSIGNMENT = "reassignment", _("reassignment")

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="interventions")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="ei_interventions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    given_by = models.CharField(max_length=200, help_text=_("Who gives the intervention."))
    given_on = models.DateField()
    follow_up_due = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["given_on", "pk"]


class FollowUpReview(Record):
    """The review of an intervention on or after its follow-up date; it resolves the alert or keeps monitoring."""

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("resolved: no further support needed")
        CONTINUE = "continue", _("keep monitoring")

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    notes = models.TextField()
    next_review_due = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reviewed_at", "pk"]


# The seeded event types' labels, for the translation catalogs (EventType.display() translates them).
SEEDED_EVENT_TYPE_LABELS = [
    _("use of force"), _("vehicle pursuit"), _("at-fault collision"), _("lawsuit or claim"), _("officer injury"),
    _("arrestee injury"), _("resisting-arrest charge"), _("sick-time use"), _("commendation"),
]
