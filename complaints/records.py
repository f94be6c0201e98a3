"""The base every domain model stands on: tracked by history, and impossible to delete through Django.

The database triggers installed by `complaints.dbguards` refuse the same deletes for raw SQL.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from .exceptions import PurgeRefused
from .history import AppendOnlyHistoryQuerySet, HistoryChain


class RecordQuerySet(models.QuerySet):
    def delete(self):
        raise PurgeRefused(
            f"{self.model._meta.verbose_name_plural} are never deleted; record a new state instead."
        )

    delete.queryset_only = True

    def _raw_delete(self, using):
        raise PurgeRefused(f"{self.model._meta.verbose_name_plural} are never deleted.")

    def update(self, **kwargs):
        # A bulk update would change records without leaving history; save each one instead.
        raise PurgeRefused("Records are changed one by one with save(), so every change is kept in history.")


class RecordManager(models.Manager.from_queryset(RecordQuerySet)):
    pass


class Record(models.Model):
    """A domain record: every change is kept in its history table, and it is never deleted."""

    objects = RecordManager()
    history = HistoricalRecords(
        inherit=True,
        bases=[HistoryChain],
        historical_queryset=AppendOnlyHistoryQuerySet,
        history_change_reason_field=models.TextField(blank=True, default=""),
    )

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise PurgeRefused(f"This {self._meta.verbose_name} is never deleted; record a new state instead.")
