"""POST decertification referrals: the state's rules (as data, versioned by effective date), the referral owed
for each case-officer pair that meets one, and the log of every export.

Every model is a `complaints.records.Record`: history-tracked and never deleted. A referral found not to apply
is closed with a reason and stays visible; a rule set is replaced by a newer version, never rewritten away.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Officer
from complaints.records import Record, RecordQuerySet
from investigations.models import DisciplineDecision, Investigation, OfficerSeparation


class RuleSetQuerySet(RecordQuerySet):
    def in_effect_on(self, day, state=None):
        qs = self.filter(effective_from__lte=day).filter(Q(effective_until__isnull=True) | Q(effective_until__gt=day))
        if state:
            qs = qs.filter(state=state)
        return qs.order_by("-effective_from", "-pk")


class RuleSet(Record):
    """One version of a state's referral rules, in force from `effective_from` until `effective_until`."""

    state = models.CharField(_("state"), max_length=10, help_text=_("Postal code of the state, e.g. IL."))
    name = models.CharField(max_length=200)
    board = models.CharField(_("standards board"), max_length=200)
    statute = models.CharField(max_length=200, blank=True)
    due_days = models.PositiveIntegerField(
        _("days to report"), help_text=_("Days after the triggering event within which the board must be told.")
    )
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True, help_text=_("Empty while this version is in force."))
    notes = models.TextField(blank=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["state", "-effective_from"]

    def __str__(self):
        until = f"–{self.effective_until}" if self.effective_until else "–"
        return f"{self.state}: {self.name} ({self.effective_from}{until})"


class Rule(Record):
    """One condition of a rule set under which a case-officer pair must be referred to the board."""

    class Kind(models.TextChoices):
        DISCIPLINE = "discipline", _("final discipline of a listed outcome or a suspension of at least N days")
        SUSTAINED_CATEGORY = "sustained_category", _("sustained allegation of a listed category, finally determined")
        SEPARATION = "separation", _("resignation or retirement during an investigation")

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="rules")
    code = models.SlugField(max_length=60)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.TextField(help_text=_("The condition in the statute's words, shown on the packet."))
    min_suspension_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Discipline rules: a suspension of at least this many days qualifies.")
    )
    outcomes = models.JSONField(
        default=list, blank=True,
        help_text=_("Discipline rules: outcomes that qualify whatever their length, e.g. [\"termination\"]."),
    )
    categories = models.JSONField(
        default=list, blank=True,
        help_text=_("Sustained-category rules: category codes that qualify; empty means every category."),
    )
    separation_reasons = models.JSONField(
        default=list, blank=True, help_text=_("Separation rules: e.g. [\"resigned\", \"retired\"].")
    )
    requires_notice = models.BooleanField(
        default=False,
        help_text=_("Separation rules: only when the officer had been served notice of the investigation."),
    )
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["rule_set", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="unique_rule_code_per_set")]

    def __str__(self):
        return f"{self.rule_set.state} {self.code}"


class Status(models.TextChoices):
    DUE = "due", _("to send")
    SENT = "sent", _("sent")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    CLOSED = "closed", _("closed (does not apply)")


class ReferralQuerySet(RecordQuerySet):
    def with_related(self):
        return self.select_related("officer", "investigation__complaint", "rule__rule_set")

    def to_send(self):
        return self.filter(status=Status.DUE, conditions_met=True)

    def due(self, today=None):
        today = today or timezone.localdate()
        return self.to_send().filter(due_date__gte=today).order_by("due_date", "pk")

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.to_send().filter(due_date__lt=today).order_by("due_date", "pk")

    def coming_due(self, today, within_days):
        """Still to send and due within `within_days` of `today`, the overdue ones included, soonest first."""
        return self.to_send().filter(due_date__lte=today + datetime.timedelta(days=within_days)).order_by(
            "due_date", "pk")

    def needs_review(self):
        """Referrals still to send whose conditions are no longer met (e.g. discipline reduced on appeal)."""
        return self.filter(status=Status.DUE, conditions_met=False).order_by("pk")

    def sent(self):
        return self.filter(status=Status.SENT).order_by("-sent_on", "-pk")

    def acknowledged(self):
        return self.filter(status=Status.ACKNOWLEDGED).order_by("-acknowledged_on", "-pk")

    def closed(self):
        return self.filter(status=Status.CLOSED).order_by("-closed_at", "-pk")

    def due_between(self, first, last):
        return self.filter(due_date__gte=first, due_date__lte=last).exclude(status=Status.CLOSED)


class Referral(Record):
    """What the agency owes the standards board for one officer in one case, and how it was sent.

    Created and updated by the rule evaluation (referrals.services.evaluate_case); the liaison
    records sending and acknowledgement; a supervisor closes one that does not apply, with a reason.
    """

    class Trigger(models.TextChoices):
        DISCIPLINE = "discipline", _("final determination")
        SEPARATION = "separation", _("separation during the investigation")

    class Method(models.TextChoices):
        BOARD_PORTAL = "portal", _("board's online portal")
        EMAIL = "email", _("e-mail")
        MAIL = "mail", _("mail")
        HAND = "hand", _("hand delivery")
        OTHER = "other", _("other")

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="post_referrals")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="post_referrals")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="referrals",
                             help_text=_("The rule whose deadline comes first among those met."))
    rules_met = models.JSONField(default=list, blank=True,
                                 help_text=_("Codes of every rule met at the last evaluation."))
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    discipline = models.ForeignKey(DisciplineDecision, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text=_("The determination in force that triggered it."))
    separation = models.ForeignKey(OfficerSeparation, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    trigger_date = models.DateField()
    due_date = models.DateField(db_index=True)
    conditions_met = models.BooleanField(
        default=True, help_text=_("False when a later event (e.g. an arbitration) means no rule is met any more."))
    evaluation_note = models.TextField(blank=True)
    evaluated_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DUE, db_index=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    board_reference = models.CharField(_("board's reference"), max_length=100, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    closed_reason = models.TextField(blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["investigation", "officer"], name="one_referral_per_case_officer"),
        ]
        permissions = [
            ("work_referral", "Can work the POST referral queue: export packets, record sending and acknowledgement"),
            ("close_referral", "Can close a referral that does not apply, with a reason"),
        ]

    def __str__(self):
        return f"{self.investigation.complaint.reference} / {self.officer}"

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status == Status.DUE and self.conditions_met and self.due_date < today

    def is_closable(self):
        """Not yet sent, or sent (even acknowledged) though no rule is met any more: a supervisor may close it."""
        return self.status == Status.DUE or (self.status in (Status.SENT, Status.ACKNOWLEDGED)
                                             and not self.conditions_met)

    @property
    def export_status(self):
        """The status every export prints: a referral still to send whose rules are no longer met says so."""
        if self.status == Status.DUE and not self.conditions_met:
            return "no_longer_met"
        return self.status


class ExportLog(Record):
    """One export: who, when, what, in which format, the SHA-256 of the bytes and the history chain head.

    Append-only (guarded in the database): a packet can later be checked against this row and the record.
    """

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("referral packet")
        BULK = "bulk", _("referrals due in a date range")
        CASE_FILE = "case_file", _("case file")
        STATISTICS = "statistics", _("live statistics (staff)")
        SEARCH = "search", _("case search results")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        JSON = "json", "JSON"
        CSV = "csv", "CSV"
        ZIP = "zip", "ZIP"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    format = models.CharField(max_length=10, choices=Format.choices)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="exports")
    investigation = models.ForeignKey(Investigation, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    referral_ids = models.JSONField(default=list, blank=True)
    range_start = models.DateField(null=True, blank=True)
    range_end = models.DateField(null=True, blank=True)
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    chain_head = models.CharField(max_length=64)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-exported_at", "-pk"]
        permissions = [("export_case_file", "Can export a whole case file (investigators: assigned cases only)")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.format} {self.sha256[:12]}"
