"""The record: complaints, the people in them, the officer roster, allegations, evidence and messages."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .history import GENESIS
from .records import Record, RecordQuerySet
from .storage import evidence_storage as _evidence_storage


def evidence_storage():
    return _evidence_storage


class ChainHead(models.Model):
    """The newest link of one of a history table's hash chains, its lane (see complaints.history)."""

    table = models.CharField(max_length=100)
    lane = models.PositiveSmallIntegerField(default=0)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    # HMAC of table:seq:hash (table:lane:seq:hash past lane 0) under a key outside the database (complaints.anchors).
    signature = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "lane"], name="complaints_chainhead_table_lane")]

    def __str__(self):
        return f"{self.table} #{self.seq}" if not self.lane else f"{self.table} lane {self.lane} #{self.seq}"


class ReferenceCounter(models.Model):
    """The last complaint number handed out in a year; numbers are never reused."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)


class Category(Record):
    """A kind of misconduct, configurable by the agency."""

    code = models.SlugField(max_length=60, unique=True)
    agency_code = models.CharField(_("agency code"), max_length=30, blank=True)
    public_label = models.CharField(_("plain-language label"), max_length=200)
    public_label_translations = models.JSONField(
        default=dict, blank=True, help_text=_("Label per language code, for categories the agency adds.")
    )
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.public_label

    def label(self, language=None):
        """The plain-language label in `language` (default: the active one)."""
        language = language or get_language() or "en"
        translated = self.public_label_translations.get(language)
        return translated or gettext(self.public_label)


class Disposition(Record):
    """A finding an allegation can receive (sustained, not sustained, ...), configurable by the agency."""

    code = models.SlugField(max_length=60, unique=True)
    agency_code = models.CharField(max_length=30, blank=True)
    public_label = models.CharField(max_length=200)
    is_sustained = models.BooleanField(default=False)
    requires_reason = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.public_label

    def label(self):
        return gettext(self.public_label)


class Unit(Record):
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=30, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Officer(Record):
    class AssignmentType(models.TextChoices):
        PATROL = "patrol", _("patrol")
        TACTICAL = "tactical", _("tactical")
        INVESTIGATIONS = "investigations", _("investigations")
        TRAFFIC = "traffic", _("traffic")
        ADMINISTRATIVE = "administrative", _("administrative")
        SUPERVISION = "supervision", _("supervision")
        OTHER = "other", _("other")

    class EmploymentStatus(models.TextChoices):
        ACTIVE = "active", _("active")
        ON_LEAVE = "on_leave", _("on leave")
        SUSPENDED = "suspended", _("suspended")
        SEPARATED = "separated", _("separated")

    class SeparationReason(models.TextChoices):
        RESIGNED = "resigned", _("resigned")
        RETIRED = "retired", _("retired")
        TERMINATED = "terminated", _("terminated")
        DECEASED = "deceased", _("deceased")
        OTHER = "other", _("other")

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    star_number = models.CharField(_("star / badge number"), max_length=20, blank=True, db_index=True)
    employee_id = models.CharField(max_length=30, unique=True)
    rank = models.CharField(max_length=60, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="officers")
    assignment_type = models.CharField(max_length=20, choices=AssignmentType.choices, default="patrol")
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="direct_reports"
    )
    employment_status = models.CharField(max_length=20, choices=EmploymentStatus.choices, default="active")
    separation_date = models.DateField(null=True, blank=True)
    separation_reason = models.CharField(max_length=20, choices=SeparationReason.choices, blank=True)
    separation_notes = models.TextField(blank=True)
    post_certification_number = models.CharField(_("POST certification number"), max_length=40, blank=True)
    # The staff account of an officer who also works in the system (e.g. an IA investigator), used by the
    # conflict-of-interest check.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="officer"
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.name_of(self.rank, self.first_name, self.last_name, self.star_number)

    @staticmethod
    def name_of(rank, first_name, last_name, star_number):
        """How an officer is named on staff pages (also for lists that read the fields without the object)."""
        badge = f" #{star_number}" if star_number else ""
        return f"{rank} {first_name} {last_name}{badge}".strip()

    def chain_of_command(self):
        """Every supervisor above this officer, nearest first (cycles in bad data are cut)."""
        seen, chain, current = {self.pk}, [], self.supervisor
        while current is not None and current.pk not in seen:
            chain.append(current)
            seen.add(current.pk)
            current = current.supervisor
        return chain


class ComplaintQuerySet(RecordQuerySet):
    def unsealed(self):
        return self.filter(sealed=False)

    def urgent(self):
        return self.filter(urgent=True)


class Complaint(Record):
    class Channel(models.TextChoices):
        WEB = "web", _("online form")
        PHONE = "phone", _("telephone")
        WALK_IN = "walk_in", _("in person")
        MAIL = "mail", _("mail")
        ASL_VIDEO = "asl_video", _("ASL video")
        EMAIL = "email", _("e-mail")
        INTERNAL = "internal", _("internal (department member)")
        REFERRAL = "referral", _("referred by another agency")

    class FilerRole(models.TextChoices):
        HARMED_PERSON = "harmed", _("the person harmed")
        THIRD_PARTY = "third_party", _("a witness or someone filing for another person")
        REPRESENTATIVE = "representative", _("a lawyer or representative")
        ANONYMOUS = "anonymous", _("anonymous")

    reference = models.CharField(max_length=20, unique=True, editable=False)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    filer_role = models.CharField(max_length=20, choices=FilerRole.choices)
    language = models.CharField(max_length=10, default="en", help_text=_("The language the filer wrote in."))
    preferred_language = models.CharField(max_length=10, default="en")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    incident_at = models.DateTimeField(null=True, blank=True, db_index=True)
    incident_time_is_approximate = models.BooleanField(default=False)
    incident_time_description = models.CharField(
        max_length=300, blank=True, help_text=_("In the filer's words, e.g. 'last summer, around midnight'.")
    )
    location = models.CharField(max_length=300, blank=True)
    district = models.CharField(max_length=30, blank=True, db_index=True)
    beat = models.CharField(max_length=30, blank=True)
    # The filer's own words, stored exactly as given. Never rewritten: corrections and translations are
    # separate records (ComplaintTranslation), and history keeps every version. Empty only when the filer gave
    # their account as an audio or video recording (it is then among the evidence).
    narrative = models.TextField(blank=True)
    accessibility_needs = models.JSONField(default=list, blank=True)
    accessibility_notes = models.TextField(blank=True)
    contact_method = models.CharField(max_length=20, blank=True)
    sealed = models.BooleanField(default=False)
    sealed_reason = models.TextField(blank=True)
    urgent = models.BooleanField(default=False, db_index=True)
    related_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="related_complaints"
    )
    follow_up_code_hash = models.CharField(max_length=200, blank=True, editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        # The staff queues' order (investigations.queries.QUEUE_ORDER): a page is read in index order.
        indexes = [
            models.Index(fields=["-urgent", "received_at", "id"], name="complaint_queue_order"),
            models.Index(fields=["id"], condition=models.Q(sealed=True), name="complaint_sealed"),
        ]
        permissions = [
            ("view_sealed_complaint", "Can see sealed complaints"),
            ("seal_complaint", "Can seal or unseal a complaint"),
            ("view_record_history", "Can read the full history of records"),
            ("triage_complaint", "Can triage new complaints"),
            ("view_evidence_file", "Can view and download evidence files"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_anonymous(self):
        return self.filer_role == self.FilerRole.ANONYMOUS


class ComplaintTranslation(Record):
    """A staff translation of the filer's narrative, kept beside the original, never in its place."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="translations")
    language = models.CharField(max_length=10)
    text = models.TextField()
    translator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    translated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["translated_at"]


class Party(Record):
    """A person in a complaint. Contact details are optional; an anonymous filer has no party row."""

    class Role(models.TextChoices):
        COMPLAINANT = "complainant", _("complainant")
        HARMED_PERSON = "harmed", _("person harmed")
        WITNESS = "witness", _("witness")
        REPRESENTATIVE = "representative", _("representative")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_filer = models.BooleanField(default=False)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=10, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "parties"

    def __str__(self):
        return f"{self.get_role_display()}: {self.name or gettext('name not given')}"


class BiasCharacteristic(models.TextChoices):
    """What a bias-based-policing allegation says the person was treated differently for (REAP reporting)."""

    RACE = "race", _("race or colour")
    ETHNICITY = "ethnicity", _("ethnicity")
    NATIONAL_ORIGIN = "national_origin", _("national origin or immigration status")
    RELIGION = "religion", _("religion")
    SEX = "sex", _("sex")
    GENDER_IDENTITY = "gender_identity", _("gender identity")
    SEXUAL_ORIENTATION = "sexual_orientation", _("sexual orientation")
    DISABILITY = "disability", _("disability")
    AGE = "age", _("age")
    LANGUAGE = "language", _("language")
    HOUSING = "housing", _("housing status (for example, being homeless)")
    OTHER = "other", _("something else")


class Allegation(Record):
    """One accusation: a complaint x an officer (or a description of an unidentified one) x a category."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="allegations")
    officer = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="allegations"
    )
    officer_name_given = models.CharField(max_length=200, blank=True)
    officer_badge_given = models.CharField(max_length=50, blank=True)
    officer_description = models.TextField(blank=True)
    vehicle_number = models.CharField(max_length=50, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="allegations")
    summary = models.TextField(blank=True)
    # Only on a bias allegation: what the person was treated differently for, as the filer or triage said.
    bias_characteristic = models.CharField(max_length=30, choices=BiasCharacteristic.choices, blank=True)

    class Meta:
        ordering = ["pk"]
        # Search by category answers from the index alone (no visit to 350,000 allegation rows).
        indexes = [
            models.Index(fields=["category", "complaint"], name="allegation_category_complaint"),
            models.Index(fields=["officer_badge_given"], name="allegation_badge_given"),
            # An officer's allegations and their categories without reading them (the decision queue's prior
            # sustained history; `include` is PostgreSQL's, other databases index the fields).
            models.Index(fields=["officer", "id"], include=["category"], name="allegation_officer"),
        ]

    def __str__(self):
        who = str(self.officer) if self.officer_id else gettext("unidentified officer")
        return f"{self.category} ({who})"

    @property
    def officer_is_identified(self):
        return self.officer_id is not None


class EvidenceSource(models.TextChoices):
    """Where a piece of evidence came from: the complainant, or what staff gathered."""

    COMPLAINANT = "complainant", _("from the complainant")
    BODY_WORN_CAMERA = "body_worn_camera", _("body-worn camera footage")
    REPORT = "report", _("police report")
    INJURY_PHOTO = "injury_photo", _("photo of injuries")
    DOCUMENT = "document", _("document")
    OTHER = "other", _("other")


class Evidence(Record):
    """A file given as evidence, stored exactly as received (bytes and SHA-256 recorded at upload)."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("video")
        PHOTO = "photo", _("photo")
        AUDIO = "audio", _("audio")
        DOCUMENT = "document", _("document")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(storage=evidence_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    submitted_by_public = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    description = models.TextField(blank=True)
    # Staff-gathered evidence says what it is (body-worn camera footage, a report, ...); its custody is recorded.
    source = models.CharField(max_length=30, choices=EvidenceSource.choices, default=EvidenceSource.COMPLAINANT)
    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derivatives",
        help_text=_("Set on a thumbnail or transcode; the original is never replaced."),
    )
    media_metadata = models.JSONField(default=dict, blank=True)
    # The filer asked for location, device and author data to be removed (always so for an anonymous filer):
    # staff work from the stripped copy; opening the original takes a policy and a recorded reason.
    original_sealed = models.BooleanField(default=False)

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name

    @property
    def derived(self):
        """The files made from this one, by purpose ('playback', 'poster', 'thumbnail')."""
        return {d.purpose: d for d in self.derived_files.all()}


class PhysicalEvidence(Record):
    """An item of physical evidence staff hold (a phone, clothing, a DVD from the evidence custodian).

    Where it is kept now is `storage_location`; every move is a CustodyRecord, and history keeps each location.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="physical_evidence")
    description = models.TextField()
    source = models.CharField(max_length=30, choices=EvidenceSource.choices, default=EvidenceSource.OTHER)
    storage_location = models.CharField(max_length=200)
    seal_number = models.CharField(max_length=60, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "physical evidence"

    def __str__(self):
        return self.description[:80]


class CustodyRecord(Record):
    """One step in the chain of custody of an evidence file or a physical item: who gave it to whom, when, why.

    Only ever added: a correction is a new record. A person is a staff account or, for someone outside the
    system (the evidence custodian, a hospital), a name as written.
    """

    class Kind(models.TextChoices):
        RECEIVED = "received", _("received")
        TRANSFERRED = "transferred", _("transferred")
        CHECKED_OUT = "checked_out", _("checked out")
        RETURNED = "returned", _("returned")
        CHECKED = "checked", _("checked")

    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="custody")
    item = models.ForeignKey(PhysicalEvidence, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="custody")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    from_name = models.CharField(max_length=200, blank=True)
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    to_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    # Only on a check: whether the seal was found intact (None: not a check, or no seal).
    seal_intact = models.BooleanField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(evidence__isnull=False, item__isnull=True)
            | models.Q(evidence__isnull=True, item__isnull=False),
            name="custody_of_one_thing")]

    @property
    def from_person(self):
        return self.from_user.get_username() if self.from_user_id else self.from_name

    @property
    def to_person(self):
        return self.to_user.get_username() if self.to_user_id else self.to_name


class ComplaintLink(Record):
    """`complaint` is a duplicate of, related to, or spawned by (retaliation) `other`, with who said so and why.

    A duplicate is closed into `other` (the main case); it keeps its own evidence, allegations and messages.
    """

    class Kind(models.TextChoices):
        DUPLICATE_OF = "duplicate_of", _("duplicate of")
        RELATED_TO = "related_to", _("related to")
        SPAWNED_BY = "spawned_by", _("retaliation complaint spawned by")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="links_out")
    other = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="links_in")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField()
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "other", "kind"], name="one_link_per_kind"),
            models.CheckConstraint(condition=~models.Q(complaint=models.F("other")), name="no_link_to_itself"),
        ]


class EvidenceAccess(models.Model):
    """One look at an evidence file: who, when, how. Append-only like history (guarded in the database)."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        DOWNLOAD = "download", _("downloaded")
        STREAM = "stream", _("played")
        OPEN_SEALED = "open_sealed", _("opened the sealed original")

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def delete(self, *args, **kwargs):
        from .exceptions import PurgeRefused

        raise PurgeRefused("Evidence access log rows are never deleted.")


class Message(Record):
    """A message between the complainant (through the follow-up portal) and the investigator."""

    class Direction(models.TextChoices):
        TO_COMPLAINANT = "to_complainant", _("to the complainant")
        FROM_COMPLAINANT = "from_complainant", _("from the complainant")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    language = models.CharField(max_length=10, default="en")
    sent_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]


class RetaliationReport(Record):
    """A report that someone was threatened or punished for complaining; flags the complaint urgent."""

    class Source(models.TextChoices):
        FOLLOW_UP_PORTAL = "portal", _("follow-up portal")
        STAFF = "staff", _("recorded by staff")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="retaliation_reports")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.FOLLOW_UP_PORTAL)
    description = models.TextField()
    reported_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["reported_at", "pk"]


class FilerDemographics(Record):
    """Voluntary facts about the filer, asked only for public statistics; every answer may be "prefer not to say".

    Never required, never shown on a case page, never published below the suppression threshold.
    """

    class AgeBand(models.TextChoices):
        UNDER_20 = "under_20", _("under 20")
        FROM_20 = "20_29", _("20 to 29")
        FROM_30 = "30_39", _("30 to 39")
        FROM_40 = "40_49", _("40 to 49")
        FROM_50 = "50_59", _("50 to 59")
        FROM_60 = "60_plus", _("60 or older")
        PREFER_NOT = "prefer_not", _("prefer not to say")

    class RaceEthnicity(models.TextChoices):
        ASIAN = "asian", _("Asian")
        BLACK = "black", _("Black or African American")
        HISPANIC = "hispanic", _("Hispanic or Latino")
        MIDDLE_EASTERN = "mena", _("Middle Eastern or North African")
        NATIVE = "native", _("American Indian or Alaska Native")
        PACIFIC = "pacific", _("Native Hawaiian or Pacific Islander")
        WHITE = "white", _("White")
        MULTIPLE = "multiple", _("more than one")
        OTHER = "other", _("another race or ethnicity")
        PREFER_NOT = "prefer_not", _("prefer not to say")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("woman")
        MAN = "man", _("man")
        NONBINARY = "nonbinary", _("non-binary")
        OTHER = "other", _("another gender")
        PREFER_NOT = "prefer_not", _("prefer not to say")

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="demographics")
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    race_ethnicity = models.CharField(max_length=20, choices=RaceEthnicity.choices, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)


class RoleChange(Record):
    """One change of a staff account's roles or status, or of a role's permissions: what changed, who, and why.

    Written by complaints.services.record_role_change (the admin calls it on every save); rows are only ever
    added, and their history is hash-chained like every record's.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey("auth.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    roles_added = models.JSONField(default=list, blank=True)
    roles_removed = models.JSONField(default=list, blank=True)
    permissions_added = models.JSONField(default=list, blank=True)
    permissions_removed = models.JSONField(default=list, blank=True)
    # {"is_staff": [before, after], ...} for the account flags that changed.
    flags_changed = models.JSONField(default=dict, blank=True)
    grants_case_access = models.BooleanField(default=False, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.user or self.group} @ {self.changed_at:%Y-%m-%d %H:%M}"


class EvidenceProcessing(Record):
    """Where the background processing of one evidence file stands (scan, probe, poster, playable copy).

    The original file is only ever read. A failure records its reason here and leaves the original as it was;
    a detected file is quarantined: kept and flagged, never played in the browser, never deleted.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting to be processed")
        PROCESSING = "processing", _("being processed")
        READY = "ready", _("ready")
        FAILED = "failed", _("processing failed")
        QUARANTINED = "quarantined", _("quarantined: malware found")

    evidence = models.OneToOneField(Evidence, on_delete=models.PROTECT, related_name="processing")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    step = models.CharField(max_length=30, blank=True)
    failure_reason = models.TextField(blank=True)
    scan_verdict = models.CharField(max_length=20, blank=True)  # "clean", "infected", "not scanned"
    scan_signature = models.CharField(max_length=200, blank=True)
    scanner = models.CharField(max_length=100, blank=True)
    media_metadata = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "evidence processing"

    @property
    def quarantined(self):
        return self.state == self.State.QUARANTINED


class DerivedFile(Record):
    """A file made from an evidence original (playable copy, poster frame, thumbnail): its own bytes and SHA-256,
    the tool and version that made it, and the original it came from (chain of custody)."""

    class Purpose(models.TextChoices):
        PLAYBACK = "playback", _("playable copy")
        POSTER = "poster", _("poster frame")
        THUMBNAIL = "thumbnail", _("thumbnail")
        STRIPPED = "stripped", _("copy without location, device and author data")

    original = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="derived_files")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    file = models.FileField(storage=evidence_storage, max_length=300)
    mime_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    original_sha256 = models.CharField(max_length=64)
    tool = models.CharField(max_length=200)
    command = models.TextField()
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["original", "purpose"], name="one_derived_file_per_purpose")]
