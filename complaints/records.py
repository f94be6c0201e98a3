"""The base every domain model stands on: tracked by history, and impossible to delete or change silently.

Every write path Django offers that would skip the history row is refused here: `delete()`, bulk `update()`
(on `objects` and on the base manager Django uses internally), `QuerySet._update()` outside a model save,
`bulk_update()`, `save_without_historical_record()` and raw saves (`loaddata`). The database triggers installed
by `complaints.dbguards` refuse deletes for raw SQL, and on PostgreSQL a change without a matching history row.
"""

import contextvars

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_change_reason_from_object

from .exceptions import PurgeRefused
from .history import AppendOnlyHistoryQuerySet, HistoryChain, append_to_chain, current_actor

# Set while Model.save() writes a record's row: the only caller allowed to run QuerySet._update().
_saving = contextvars.ContextVar("record_saving", default=False)

SILENT_CHANGE = "Records are changed one by one with save(), so every change is kept in history."


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
        raise PurgeRefused(SILENT_CHANGE)

    def bulk_update(self, objs, fields, batch_size=None):
        raise PurgeRefused(SILENT_CHANGE)

    def _update(self, values):
        if not _saving.get():
            raise PurgeRefused(SILENT_CHANGE)
        return super()._update(values)

    _update.queryset_only = True


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
        # Django reads and saves related rows through the base manager; make it the guarded one. Subclasses
        # find it through Options.base_manager's walk up the class hierarchy.
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        skipped = getattr(self, "skip_history_when_saving", False)
        if skipped or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            raise PurgeRefused(SILENT_CHANGE)
        # The row and its history row commit together (PostgreSQL checks this at commit; see dbguards).
        with transaction.atomic(using=kwargs.get("using") or self._state.db or "default"):
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PurgeRefused(f"This {self._meta.verbose_name} is never deleted; record a new state instead.")

    def save_without_historical_record(self, *args, **kwargs):
        raise PurgeRefused(SILENT_CHANGE)

    def _save_table(self, raw=False, *args, **kwargs):
        # loaddata saves with raw=True, which simple_history skips: a fixture would overwrite a record silently.
        if raw:
            raise PurgeRefused(SILENT_CHANGE)
        return super()._save_table(raw, *args, **kwargs)

    def _do_update(self, *args, **kwargs):
        token = _saving.set(True)
        try:
            return super()._do_update(*args, **kwargs)
        finally:
            _saving.reset(token)


def bulk_create_with_history(model, objs, *, using="default", batch_size=500):
    """Create new records in bulk, each with the '+' history row save() would write, linked into the chain in order.

    One insert per batch and one chain-head lock for all of them, instead of one of each per record: for writers of
    thousands of records at once (early-intervention alerts). A record's `_change_reason` overrides the reason
    given to `recorded`. Refused like save() when history is switched off.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        raise PurgeRefused(SILENT_CHANGE)
    objs = list(objs)
    if not objs:
        return objs
    history_model = model.history.model
    actor = current_actor()
    with transaction.atomic(using=using):
        created = model.objects.using(using).bulk_create(objs, batch_size=batch_size)
        rows = []
        for record in created:
            if record.pk is None:
                raise ValueError(f"{model.__name__}: the database did not return the new keys; save one by one.")
            row = history_model(
                history_date=getattr(record, "_history_date", None) or timezone.now(), history_type="+",
                history_change_reason=get_change_reason_from_object(record) or "",
                **{field.attname: getattr(record, field.attname) for field in history_model.tracked_fields},
            )
            row.attribute(actor)
            rows.append(row)
        append_to_chain(rows, lambda rows: history_model.objects.using(using).bulk_create(rows, batch_size=batch_size),
                        using=using)
    return created
