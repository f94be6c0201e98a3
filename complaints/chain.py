"""Reading and checking the record: history chains, live rows, guards, anchors and evidence files.

Writing the chains is complaints.history.append_to_chain (HistoryChain.save, bulk_create_with_history).
`verify` reads everything in one consistent snapshot (one REPEATABLE READ transaction on PostgreSQL, one read
transaction on SQLite) and returns named findings; `manage.py verify_history` prints them and exits with the most
serious finding's code (see docs/tamper-evidence.md).
"""

import datetime
import hashlib
import json
import operator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections, models, transaction

from . import anchors, dbguards
from .history import GENESIS, HistoryChain, _canonical

# Exit codes of verify_history (docs/tamper-evidence.md). The most serious finding decides.
EXIT_INTACT = 0
EXIT_TAMPERED = 1  # history, live records, guards, signatures or anchors
EXIT_FILES = 3  # an evidence file is missing or its bytes changed
EXIT_LEFTOVERS = 4  # only files in storage without a row (a crash between storing and committing)

SEVERITY = {
    "table-missing": EXIT_TAMPERED,
    "guard-missing": EXIT_TAMPERED,
    "chain-broken": EXIT_TAMPERED,
    "chain-head-mismatch": EXIT_TAMPERED,
    "head-signature-invalid": EXIT_TAMPERED,
    "record-changed-without-history": EXIT_TAMPERED,
    "record-without-history": EXIT_TAMPERED,
    "record-missing": EXIT_TAMPERED,
    "anchor-invalid": EXIT_TAMPERED,
    "anchor-not-extended": EXIT_TAMPERED,
    "no-anchors": EXIT_TAMPERED,
    "file-missing": EXIT_FILES,
    "file-altered": EXIT_FILES,
    "file-unreferenced": EXIT_LEFTOVERS,
}

# Per table, report this many live-row findings in full, then a count.
MAX_RECORD_FINDINGS = 20


def history_models():
    """Every history model of every app, in a stable order."""
    found = [m for m in apps.get_models() if issubclass(m, HistoryChain)]
    return sorted(found, key=lambda m: m._meta.db_table)


def chain_head(using="default"):
    """One SHA-256 over every table's newest link: printed on exports so they can be checked later."""
    from .models import ChainHead

    links = ChainHead.objects.using(using).order_by("table").values_list("table", "seq", "hash")
    digest = hashlib.sha256()
    for table, seq, link in links:
        digest.update(f"{table}:{seq}:{link}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Finding:
    code: str
    detail: str

    @property
    def exit_code(self):
        return SEVERITY[self.code]

    def __str__(self):
        return f"{self.code}: {self.detail}"


@dataclass
class ChainReport:
    rows_checked: int = 0
    tables_checked: int = 0
    records_checked: int = 0
    files_checked: int = 0
    findings: list = field(default_factory=list)
    head: str = ""

    def add(self, code, detail):
        self.findings.append(Finding(code, detail))

    @property
    def breaks(self):
        """Every finding, as text (the first one names the first bad row)."""
        return [str(f) for f in self.findings]

    @property
    def exit_code(self):
        return max((f.exit_code for f in self.findings), default=EXIT_INTACT)


# --- Canonical values, fast: raw rows, one converter per column (same result as history._canonical) ----------


def _datetime(value):
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def _isoformat(value):
    return None if value is None else value.isoformat()


def _bool(value):
    return None if value is None else bool(value)


def _sorted_json(value):
    if isinstance(value, dict):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(item) for item in value]
    return value


class _JsonValues(dict):
    """JSON column text -> its value with every object's keys sorted (most rows repeat a few values)."""

    def __missing__(self, text):
        value = _sorted_json(json.loads(text)) if isinstance(text, str) else _sorted_json(text)
        if isinstance(text, str):
            self[text] = value
        return value

    def __call__(self, text):
        return None if text is None else self[text]


_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.AutoField, models.FileField)


def raw_converter(model_field, json_values):
    """The converter from a raw database value to its canonical form: None for 'as is', False if unknown."""
    if isinstance(model_field, models.ForeignKey):
        return raw_converter(model_field.target_field, json_values)
    if isinstance(model_field, models.DateTimeField):
        return _datetime
    if isinstance(model_field, models.DateField | models.TimeField):
        return _isoformat
    if isinstance(model_field, models.BooleanField):
        return _bool
    if isinstance(model_field, models.JSONField):
        return json_values
    if isinstance(model_field, _PLAIN) and not isinstance(model_field, models.UUIDField):
        return None
    return False


_dumps = json.JSONEncoder(separators=(",", ":"), default=str).encode
_dumps_sorted = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode


class _Columns:
    """The columns of one history model in digest order, with their converters."""

    def __init__(self, history_model):
        fields = sorted(
            (f for f in history_model._meta.concrete_fields if f.attname not in ("history_id", "chain_hash")),
            key=lambda f: f.attname,
        )
        self.fields = fields
        self.names = [f.attname for f in fields]
        json_values = _JsonValues()
        converters = [raw_converter(f, json_values) for f in fields]
        # Unknown column types (none today) go through Django's converters and _canonical, slower but exact.
        self.fast = False not in converters
        if self.fast:
            self.converters = [(f.attname, c) for f, c in zip(fields, converters, strict=True) if c is not None]
        else:
            self.converters = [(f.attname, lambda v, f=f: _canonical(f, v)) for f in fields]
        self.position = {name: i for i, name in enumerate(self.names)}
        self.suffix = ',"table":' + json.dumps(history_model._meta.db_table) + "}"


def _raw_rows(queryset, using):
    """Plain tuples straight from the database cursor, streamed (a server-side cursor on PostgreSQL)."""
    sql, params = queryset.query.sql_with_params()
    with connections[using].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            yield from rows


# --- The snapshot ---------------------------------------------------------------------------------------------


def _snapshot(using):
    """One consistent read of the whole database (an atomic block, REPEATABLE READ on PostgreSQL)."""
    conn = connections[using]
    outermost = not conn.in_atomic_block
    block = transaction.atomic(using=using)
    block.__enter__()
    if outermost and conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    return block


def verify(using="default", *, anchors_too=False, files=None):
    """Check every table, guard, chain, signature, live row (and anchors, evidence files when asked).

    `files` is None (skip files) or a `FileCheck`. Never writes to the database or the storage.
    """
    report = ChainReport()
    block = _snapshot(using)
    try:
        existing = set(connections[using].introspection.table_names())
        _check_tables_and_guards(report, existing, using)
        heads = _heads(using)
        for model in history_models():
            if model._meta.db_table not in existing:
                continue
            _verify_history_table(report, model, heads, existing, using)
        report.head = chain_head(using=using)
        if anchors_too:
            _check_anchors(report, existing, using)
        if files is not None:
            files.run(report, using)
    finally:
        block.__exit__(None, None, None)
    return report


def verify_all(using="default"):
    return verify(using)


def _heads(using):
    from .models import ChainHead

    return {
        table: (seq, link, signature)
        for table, seq, link, signature in ChainHead.objects.using(using).values_list(
            "table", "seq", "hash", "signature"
        )
    }


def _check_tables_and_guards(report, existing, using):
    from .models import ChainHead, EvidenceAccess

    vendor = connections[using].vendor
    records = dbguards.record_models()
    tables = {}  # table -> needs update guard too
    for model in records:
        tables[model._meta.db_table] = False
        tables[model.history.model._meta.db_table] = True
    tables[ChainHead._meta.db_table] = False
    tables[EvidenceAccess._meta.db_table] = True
    tables[dbguards.ADMIN_LOG_TABLE] = True
    for table in sorted(tables):
        if table not in existing:
            report.add("table-missing", f"table {table} does not exist")
    guards = dbguards.guarded_tables(using)
    for table, append_only in sorted(tables.items()):
        if table not in existing:
            continue
        have = guards.get(table, {})
        needed = ["delete"] + (["update"] if append_only else []) + (["truncate"] if vendor == "postgresql" else [])
        missing = [kind for kind in needed if not have.get(kind)]
        if missing:
            report.add("guard-missing", f"table {table}: no enabled trigger refusing {', '.join(missing).upper()}")
    if vendor == "postgresql":
        history_guarded = dbguards.history_guarded_tables(using)
        for model in records:
            table = model._meta.db_table
            if table in existing and table not in history_guarded:
                report.add("guard-missing", f"table {table}: no enabled trigger refusing changes without history")


def _verify_history_table(report, model, heads, existing, using):
    table = model._meta.db_table
    columns = _Columns(model)
    names, suffix, converters = columns.names, columns.suffix, columns.converters
    seq_i, prev_i = columns.position["chain_seq"], columns.position["chain_prev"]
    id_i, type_i = columns.position.get("id"), columns.position["history_type"]
    record_model = getattr(model, "instance_type", None)
    track = record_model is not None and record_model._meta.db_table in existing and id_i is not None
    tracked = None
    if track:
        tracked_names = [f.attname for f in record_model._meta.concrete_fields]
        tracked = _fingerprint(operator.itemgetter(*[columns.position[name] for name in tracked_names]),
                               raw=columns.fast)
        newest = {}
    query = model._base_manager.using(using).order_by("chain_seq", "history_id")
    if columns.fast:
        rows = _raw_rows(query.values_list(*names, "history_id", "chain_hash"), using)
        dumps = _dumps
    else:
        rows = query.values_list(*names, "history_id", "chain_hash").iterator(chunk_size=5000)
        dumps = _dumps_sorted
    history_id_i, hash_i = len(names), len(names) + 1
    sha256 = hashlib.sha256

    expected_seq, prev_hash, prev_id, count, problem = 1, GENESIS, None, 0, None
    for row in rows:
        count += 1
        history_id, stored, seq = row[history_id_i], row[hash_i], row[seq_i]
        if seq != expected_seq:
            where = f"{table} history_id={history_id}"
            if seq is not None and seq > expected_seq:
                problem = f"{where}: rows {expected_seq}..{seq - 1} of the chain are missing"
            else:
                problem = f"{where}: sequence {seq} where {expected_seq} was expected"
            break
        if row[prev_i] != prev_hash:
            problem = f"{table} history_id={history_id}: does not link to the row before it (removed or reordered rows)"
            break
        if prev_id is not None and history_id <= prev_id:
            problem = f"{table} history_id={history_id}: out of order (history ids reordered)"
            break
        values = dict(zip(names, row, strict=False))
        for name, convert in converters:
            values[name] = convert(values[name])
        if sha256((prev_hash + '{"fields":' + dumps(values) + suffix).encode()).hexdigest() != stored:
            problem = f"{table} history_id={history_id}: content altered (hash mismatch)"
            break
        if tracked is not None:
            newest[row[id_i]] = (row[type_i], tracked(row))
        expected_seq, prev_hash, prev_id = expected_seq + 1, stored, history_id
    report.rows_checked += count
    report.tables_checked += 1
    if problem:
        report.add("chain-broken", problem)
        return
    head_seq, head_hash, signature = heads.get(table, (0, GENESIS, None))
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        report.add("chain-head-mismatch", (
            f"{table} after history_id={prev_id}: the chain head says row {head_seq} is the newest but "
            f"the table ends at row {expected_seq - 1} (newest rows removed)"
        ))
        return
    if signature is not None and not anchors.head_signature_valid(table, head_seq, head_hash, signature):
        report.add("head-signature-invalid", (
            f"{table}: the head (row {head_seq}) is not signed with the history key "
            "(rows forged or rewritten with recomputed links)"
        ))
    if tracked is not None:
        _compare_live_rows(report, record_model, tracked_names, newest, using, raw=columns.fast)


def _fingerprint(getter, raw):
    """A row's values as one hash: raw values hash as they are; Django-converted JSON values need their text."""
    if raw:
        return lambda row: hash(getter(row))
    return lambda row: hash(_dumps_sorted(list(getter(row))))


def _compare_live_rows(report, record_model, names, newest, using, raw):
    """Every live row equals its newest history row; every object history says exists is there.

    Live and history columns have the same types, so their raw values are compared as they come (hashed).
    """
    table = record_model._meta.db_table
    pk_i = names.index(record_model._meta.pk.attname)
    query = record_model._base_manager.using(using).order_by().values_list(*names)
    rows = _raw_rows(query, using) if raw else query.iterator(chunk_size=5000)
    seen, problems = set(), []
    fingerprint = _fingerprint(tuple, raw=raw)
    for row in rows:
        report.records_checked += 1
        pk = row[pk_i]
        seen.add(pk)
        expected = newest.get(pk)
        if expected is None:
            problems.append(("record-without-history", f"{table} id={pk}: a live row with no history at all"))
        elif expected[0] == "-" or expected[1] != fingerprint(row):
            problems.append((
                "record-changed-without-history",
                f"{table} id={pk}: the live row differs from its newest history row (changed without history)",
            ))
    for pk, (history_type, _digest) in newest.items():
        if pk not in seen and history_type != "-":
            problems.append(("record-missing", f"{table} id={pk}: history says it exists but the row is gone"))
    for code, detail in problems[:MAX_RECORD_FINDINGS]:
        report.add(code, detail)
    if len(problems) > MAX_RECORD_FINDINGS:
        report.add(problems[MAX_RECORD_FINDINGS][0],
                   f"{table}: {len(problems) - MAX_RECORD_FINDINGS} more rows like the above")


def _check_anchors(report, existing, using):
    entries = anchors.read_anchors()
    if not entries:
        report.add("no-anchors", "no anchor found (run manage.py anchor_history on a schedule)")
        return
    models_by_table = {m._meta.db_table: m for m in history_models()}
    for name, number, entry in entries:
        where = f"anchor {name}:{number}"
        if not anchors.anchor_mac_valid(entry):
            report.add("anchor-invalid", f"{where}: not signed with the history key (edited or forged)")
            continue
        for table, (seq, link, _signature) in sorted(entry["heads"].items()):
            model = models_by_table.get(table)
            if model is None or table not in existing:
                report.add("anchor-not-extended", f"{where}: table {table} is gone")
                continue
            if seq == 0:
                continue
            found = list(
                model._base_manager.using(using).filter(chain_seq=seq).values_list("chain_hash", flat=True)[:2]
            )
            if found != [link]:
                report.add("anchor-not-extended", (
                    f"{where}: {table} row {seq} no longer carries the anchored link "
                    f"(history rewritten or removed since {entry.get('at')})"
                ))
