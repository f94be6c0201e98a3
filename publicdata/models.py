"""Published statistics: a quarter or a year becomes an immutable release, served as stored.

A release holds the suppressed tables, the files made from them with their SHA-256, and the history chain head at
publication. Both tables are append-only in the database (`GuardAppTables`): a release is never edited, a
correction is a new release that names the one it corrects and says what changed.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.exceptions import PurgeRefused
from complaints.records import Record, RecordQuerySet


class ReleaseQuerySet(RecordQuerySet):
    def current(self):
        """The newest release of each period (a correction replaces the release it corrects on public pages)."""
        return self.exclude(pk__in=Release.objects.filter(corrects__isnull=False).values("corrects"))


class Release(Record):
    class Kind(models.TextChoices):
        QUARTER = "quarter", _("quarter")
        YEAR = "year", _("year")

    period = models.CharField(max_length=7, db_index=True, help_text="2026Q4 or 2026")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="the last day of the period")
    threshold = models.PositiveIntegerField(help_text="counts from 1 to threshold-1 are withheld")
    tables = models.JSONField(help_text="the published (suppressed) tables")
    allegation_rows = models.JSONField(default=list, blank=True, help_text="the de-identified allegation-level rows")
    allegation_rows_withheld = models.PositiveIntegerField(null=True, blank=True,
                                                           help_text="empty when itself below the threshold")
    generalisation = models.JSONField(default=dict, blank=True)
    chain_head = models.CharField(max_length=200, help_text="the history chain head at publication")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    change_note = models.TextField(blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-published_at"]

    def __str__(self):
        return self.period

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PurgeRefused("A published release is never changed; publish a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PurgeRefused("A published release is never deleted.")

    def table(self, table_id):
        return next((t for t in self.tables if t["id"] == table_id), None)


class ReleaseFile(Record):
    """One file of a release (a table as CSV, the allegation-level CSV, the whole release as JSON)."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=60)
    content = models.TextField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["release", "name"]
        constraints = [models.UniqueConstraint(fields=["release", "name"], name="one_file_name_per_release")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PurgeRefused("A published file is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PurgeRefused("A published file is never deleted.")
