"""Who changed a record and why, and the hash chain that makes history tamper-evident.

Every historical row carries `chain_seq`, `chain_prev` and `chain_hash`: the SHA-256 of the previous row's hash
and this row's canonical content. Each history table has up to HISTORY_CHAIN_LANES chains ("lanes", `chain_lane`)
so that concurrent writers of one table never wait for each other: a transaction appends to a lane whose head no
other open transaction holds. Each lane's head is kept in `ChainHead`, and `manage.py verify_history` recomputes
every chain (docs/tamper-evidence.md).
"""

import contextvars
import datetime
import decimal
import hashlib
import json
import random
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, models, transaction
from simple_history.models import HistoricalQuerySet

from .exceptions import MissingChangeReason, PurgeRefused

PUBLIC_FILER = "public filer"
SYSTEM = "system"
GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    user: object = None
    label: str = ""
    reason: str = ""


_current = contextvars.ContextVar("history_actor", default=Actor())


@contextmanager
def recorded(*, reason, by=None, label=None):
    """Attribute every record written inside the block to `by` (a user) or `label`, with `reason`."""
    outer = _current.get()
    token = _current.set(
        Actor(
            user=by if by is not None else outer.user,
            label=label or outer.label,
            reason=reason,
        )
    )
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def acting(*, by=None, label=None):
    """Set who is acting (for a request) without giving a reason; services give the reason."""
    token = _current.set(Actor(user=by, label=label or ""))
    try:
        yield
    finally:
        _current.reset(token)


def current_actor():
    return _current.get()


def _canonical(field, value):
    if value is None:
        return None
    if hasattr(value, "name") and isinstance(field, models.FileField):
        return value.name or ""
    try:
        value = field.to_python(value)
    except Exception:  # noqa: BLE001 - canonical form falls back to str(); verify compares like with like
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return value


# Columns outside a row's hash: its own hash, the id the database gives it, and its lane (added after the first
# rows were hashed; a row moved to another lane no longer links to that lane's chain anyway).
UNHASHED = ("history_id", "chain_hash", "chain_lane")


def row_digest(row):
    """The chain hash a history row must carry, computed from its content and its predecessor's hash."""
    fields = {}
    for field in row._meta.concrete_fields:
        if field.attname in UNHASHED:
            continue
        fields[field.attname] = _canonical(field, getattr(row, field.attname))
    payload = json.dumps(
        {"table": row._meta.db_table, "fields": fields}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256((row.chain_prev + payload).encode()).hexdigest()


class AppendOnlyHistoryQuerySet(HistoricalQuerySet):
    def delete(self):
        raise PurgeRefused("History rows are never deleted.")

    def _raw_delete(self, using):
        raise PurgeRefused("History rows are never deleted.")

    def update(self, **kwargs):
        raise PurgeRefused("History rows are never changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PurgeRefused("History rows are never changed.")


class HistoryChain(models.Model):
    """Base of every historical model: append-only, attributed and hash-chained."""

    history_actor = models.CharField(max_length=150, blank=True, default="")
    chain_seq = models.BigIntegerField(null=True, editable=False, db_index=True)
    chain_prev = models.CharField(max_length=64, blank=True, default="", editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    chain_lane = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PurgeRefused("History rows are never changed.")
        self.attribute(current_actor())
        append_to_chain([self], lambda rows: super(HistoryChain, self).save(*args, **kwargs),
                        using=kwargs.get("using") or "default", savepoint=False)

    def attribute(self, actor):
        """Fill in who made the change and why from `actor` (see `recorded`); a change without a reason is refused."""
        if self.history_user_id is None and actor.user is not None:
            self.history_user = actor.user
        if not self.history_actor:
            if self.history_user is not None:
                self.history_actor = self.history_user.get_username()
            else:
                self.history_actor = actor.label or SYSTEM
        if not self.history_change_reason:
            self.history_change_reason = actor.reason
        if not self.history_change_reason:
            raise MissingChangeReason(
                f"{self._meta.object_name}: every change needs a reason (use complaints.history.recorded)."
            )

    def delete(self, *args, **kwargs):
        raise PurgeRefused("History rows are never deleted.")


def chain_lanes(using="default"):
    """How many lanes a table's writers may spread over: one where the database has one writer at a time."""
    if not connections[using].features.has_select_for_update_skip_locked:
        return 1
    return settings.HISTORY_CHAIN_LANES


def claim_head(table, using="default"):
    """Lock a head of `table`'s chains for the rest of this transaction and return it.

    The lowest lane no other open transaction holds (the lanes this transaction already holds count as free, so it
    stays on its lane); a new lane when every lane is held and fewer than HISTORY_CHAIN_LANES exist; and only when
    all of them are held, a wait for one. A lane's lock keeps its chain from forking; the other lanes stay free.
    """
    from .anchors import sign_head
    from .models import ChainHead

    heads = ChainHead.objects.using(using).filter(table=table)
    lanes = chain_lanes(using)
    while True:
        head = heads.filter(lane__lt=lanes).order_by("lane").select_for_update(skip_locked=True).first()
        if head is not None:
            return head
        missing = sorted(set(range(lanes)) - set(heads.values_list("lane", flat=True)))
        if not missing:
            return heads.select_for_update().get(lane=random.randrange(lanes))
        # Writers that find every lane held at the same moment pick different new lanes (one that picks a lane
        # another has just added waits for that one's commit, then takes a free lane).
        lane = 0 if 0 in missing else random.choice(missing)
        ChainHead.objects.using(using).bulk_create(
            [ChainHead(table=table, lane=lane, signature=sign_head(table, 0, GENESIS, lane=lane))],
            ignore_conflicts=True,
        )


def locked_chain_head(table, using="default"):
    """Lane 0's head of `table`, row-locked until the transaction ends: for a writer that must not run beside
    another writer of the same table (early intervention's "raise each alert once"). Its rows then go on lane 0
    too (claim_head returns the lane this transaction holds)."""
    from .anchors import sign_head
    from .models import ChainHead

    ChainHead.objects.using(using).bulk_create(
        [ChainHead(table=table, lane=0, signature=sign_head(table, 0, GENESIS))], ignore_conflicts=True)
    return ChainHead.objects.using(using).select_for_update().get(table=table, lane=0)


def append_to_chain(rows, insert, using="default", *, savepoint=True):
    """Link unsaved history rows of one table into one of its chains in order, `insert(rows)`, and move that
    chain's head once.

    HistoryChain.save passes one row (no savepoint of its own: a failure fails the record's save, whose savepoint
    it is in); complaints.records.bulk_create_with_history a batch, under one head lock.
    """
    from .anchors import sign_head
    from .models import ChainHead

    if not rows:
        return
    table = rows[0]._meta.db_table
    with transaction.atomic(using=using, savepoint=savepoint):
        head = claim_head(table, using)
        seq, link = head.seq, head.hash
        for row in rows:
            seq += 1
            row.chain_lane = head.lane
            row.chain_seq, row.chain_prev = seq, link
            row.chain_hash = link = row_digest(row)
        insert(rows)
        ChainHead.objects.using(using).filter(pk=head.pk).update(
            seq=seq, hash=link, signature=sign_head(table, seq, link, lane=head.lane),
        )
