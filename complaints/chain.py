"""Reading and checking the record: history chains, live rows, guards, anchors and evidence files.

Writing the chains is complaints.history.append_to_chain (HistoryChain.save, bulk_create_with_history).
`verify` reads everything in one consistent snapshot (one REPEATABLE READ transaction on PostgreSQL, one read
transaction on SQLite) and returns named findings (on PostgreSQL the database hashes the rows it renders exactly and
checks every link, and Python looks only at the rows it sends back); `manage.py verify_history` prints them and
exits with the most serious finding's code (see docs/tamper-evidence.md).
"""

import hashlib
import itertools
import json
import multiprocessing
import operator
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections, models, transaction

from . import anchors, dbguards
from .history import GENESIS, UNHASHED, HistoryChain, _canonical, row_digest

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
    """One SHA-256 over every chain's newest link: printed on exports so they can be checked later.

    Lane 0 of each table counts as `table:seq:hash` (as before lanes existed), every other lane in use as
    `table:lane:seq:hash`; a lane not written yet adds nothing.
    """
    from .models import ChainHead

    links = ChainHead.objects.using(using).order_by("table", "lane").values_list("table", "lane", "seq", "hash")
    digest = hashlib.sha256()
    for table, lane, seq, link in links:
        if seq or not lane:
            digest.update(f"{anchors.head_name(table, lane)}:{seq}:{link}\n".encode())
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


# --- Canonical values, fast: plain tuples, one converter per column (the digest of history.row_digest) --------


def _float(value):
    return None if value is None else repr(float(value))


def _sorted_json(value):
    if isinstance(value, dict):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(item) for item in value]
    return value


class _JsonValues(dict):
    """JSON column text -> its value with every object's keys sorted (most rows repeat a few values)."""

    LIMIT = 10_000

    def __missing__(self, text):
        value = _sorted_json(json.loads(text))
        if len(self) >= self.LIMIT:
            self.clear()
        self[text] = value
        return value

    def __call__(self, text):
        return None if text is None else self[text]


_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.AutoField, models.FileField,
          models.BooleanField)


def _column(field, vendor, json_values):
    """The SQL that reads `field` and the converter to its canonical form (None: the value read is canonical).

    Timestamps and dates are turned into their canonical text by the database (UTC, microseconds), so no
    time-zone-aware datetime is ever built; booleans arrive as bool on both databases (SQLite's declared type
    `bool` has a converter). A column type not named here goes through history._canonical, slower but exact.
    """
    column = '"' + field.column.replace('"', '""') + '"'
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.DateTimeField):
        if vendor == "postgresql":
            return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')""", None
        # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC; an expression has no declared type, so no parsing.
        return (f"CASE WHEN length({column}) = 19 THEN replace({column}, ' ', 'T') || '.000000' "
                f"ELSE replace({column}, ' ', 'T') END"), None
    if isinstance(target, models.DateField):
        return (f"to_char({column}, 'YYYY-MM-DD')" if vendor == "postgresql" else f"+{column}"), None
    if isinstance(target, models.JSONField):
        return (f"{column}::text" if vendor == "postgresql" else column), json_values
    if isinstance(target, models.FloatField):
        return column, _float
    if isinstance(target, _PLAIN) and not isinstance(target, models.UUIDField):
        return column, None
    return column, lambda value, field=field: _canonical(field, value)


# --- The digest computed by PostgreSQL --------------------------------------------------------------------------
#
# On PostgreSQL the database renders each history row's payload (chain_prev + the canonical JSON of row_digest),
# hashes it with sha256() and compares it with chain_hash; only rows where that comparison fails (or that it can't
# make) reach Python, which hashes them as before. The rendering is Python's byte for byte wherever Python's JSON
# can be reproduced, and where it can't, it can never equal any payload Python writes, so the row can't pass by
# mistake:
#
# - text: json.dumps (ensure_ascii) escapes `"` `\` \b \f \n \r \t, every other character below 0x20 as \u00xx
#   (lowercase hex) and every character from 0x7f on as \uxxxx (surrogate pairs past 0xffff). PostgreSQL's
#   to_json(text) escapes the same ASCII characters the same way but writes 0x7f and everything past ASCII as they
#   are. A text of 0x01..0x7e only (PostgreSQL text never holds 0x00) is rendered identically; any other text puts
#   a byte >= 0x7f into the payload, which no ensure_ascii payload holds, so (SHA-256 being collision-resistant)
#   the database's digest differs from the stored one and Python hashes the row: multilingual text is checked,
#   just in Python (rows with non-ASCII free text are not even hashed by the database: see _digest_sql).
#   Timestamps, dates, integers, booleans and file names render identically.
# - JSON and floats: a rendering that could equal Python's for another value is only used under a condition that
#   makes it exact (JSON: null, a string, a boolean, or an array or object of strings only; floats: whole numbers
#   below 1e15); other values go to Python. A column type with no rendering here sends its whole table to Python.


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def _json_sql(field, column):
    """(SQL of the JSON of `field`'s canonical value, condition for it to be used or None), or None: Python only."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.DateTimeField):
        sql = f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')"""
        return f"""coalesce('"' || {sql} || '"', 'null')""", None
    if isinstance(target, models.DateField):
        return f"""coalesce('"' || to_char({column}, 'YYYY-MM-DD') || '"', 'null')""", None
    if isinstance(target, models.FileField):
        # _canonical: the file's name, "" for no file (a NULL column reads as a file without a name).
        return f"""coalesce(to_json({column})::text, '""')""", None
    if isinstance(target, models.CharField | models.TextField) and not isinstance(target, models.UUIDField):
        return f"coalesce(to_json({column})::text, 'null')", None
    if isinstance(target, models.BooleanField | models.IntegerField | models.AutoField):
        return f"coalesce({column}::text, 'null')", None  # true/false, digits: as Python writes them
    if isinstance(target, models.FloatField):
        # repr(float) as a JSON string; PostgreSQL writes a whole number below 1e15 without ".0" (and -0 for -0.0).
        return (f"""coalesce('"' || {column}::text || '.0"', 'null')""",
                f"({column} IS NULL OR ({column} = trunc({column}) AND abs({column}) < 1e15))")
    if isinstance(target, models.JSONField):
        # Key-sorted, compact JSON of: null, a string, a boolean, an array of strings, an object of strings (keys
        # in code-point order); numbers (Python's float repr) and nesting are hashed in Python.
        value = f"{column}::jsonb"
        sql = (
            # jsonb's own text is compact for [] and one-item arrays (most rows: a list of one need, or none)
            f"coalesce(CASE WHEN jsonb_typeof({value}) <> 'array' THEN NULL "
            f"WHEN jsonb_array_length({value}) < 2 THEN {value}::text END, CASE jsonb_typeof({value}) "
            f"WHEN 'array' THEN '[' || coalesce((SELECT string_agg(to_json(e)::text, ',' ORDER BY n) "
            f"FROM jsonb_array_elements_text({value}) WITH ORDINALITY AS x(e, n)), '') || ']' "
            f"WHEN 'object' THEN '{{' || coalesce((SELECT string_agg(to_json(k)::text || ':' || to_json(v)::text, "
            f"',' ORDER BY k COLLATE \"C\") FROM jsonb_each_text({value}) AS x(k, v)), '') || '}}' "
            f"WHEN 'string' THEN to_json({value} #>> '{{}}')::text "
            f"ELSE {value}::text END, 'null')"  # boolean, null
        )
        safe = (
            f"({column} IS NULL OR CASE jsonb_typeof({value}) "
            f"WHEN 'array' THEN NOT jsonb_path_exists({value}, 'strict $[*] ? (@.type() != \"string\")') "
            f"WHEN 'object' THEN NOT jsonb_path_exists({value}, 'strict $.* ? (@.type() != \"string\")') "
            f"ELSE jsonb_typeof({value}) IN ('string', 'boolean', 'null') END)"
        )
        return sql, safe
    return None


def _concat(pieces):
    """concat() of any number of SQL pieces (a function takes at most 100 arguments)."""
    if len(pieces) <= 90:
        return "concat(" + ", ".join(pieces) + ")"
    return _concat([_concat(pieces[i:i + 90]) for i in range(0, len(pieces), 90)])


def _digest_sql(fields, table):
    """(SQL of a history row's digest, SQL condition under which it is row_digest's), or None: Python only."""
    pieces, conditions = ['"chain_prev"', _literal('{"fields":{')], []
    for i, model_field in enumerate(fields):
        column = '"' + model_field.column.replace('"', '""') + '"'
        rendered = _json_sql(model_field, column)
        if rendered is None:
            return None
        sql, safe = rendered
        pieces += [_literal(("," if i else "") + json.dumps(model_field.attname) + ":"), sql]
        if safe is not None:
            conditions.append(safe)
    pieces.append(_literal('},"table":' + json.dumps(table) + "}"))
    digest = f"encode(sha256(convert_to({_concat(pieces)}, 'UTF8')), 'hex')"
    # Not for exactness but for speed: free text (TextField) holding a non-ASCII character can't match, so the
    # database doesn't hash such rows at all (a narrative in Spanish, Arabic, ...): Python does.
    for model_field in fields:
        if isinstance(model_field, models.TextField):
            column = '"' + model_field.column.replace('"', '""') + '"'
            conditions.insert(0, f"coalesce(octet_length({column}) = char_length({column}), true)")
    return digest, " AND ".join(conditions) or "true"


def sql_digests(history_model, using="default"):
    """(history_id, digest computed by the database or None where the row needs Python) of every row."""
    columns = _Columns(history_model, connections[using].vendor)
    if columns.digest_sql is None:
        return [(history_id, None) for history_id in
                history_model._base_manager.using(using).values_list("history_id", flat=True)]
    digest, safe = columns.digest_sql
    with connections[using].cursor() as cursor:
        cursor.execute(f'SELECT "history_id", CASE WHEN {safe} THEN {digest} END FROM "{columns.table}"')
        return cursor.fetchall()


class _Columns:
    """How one history model is read and hashed: its columns in digest order, their SQL and converters."""

    def __init__(self, history_model, vendor):
        fields = sorted(
            (f for f in history_model._meta.concrete_fields if f.attname not in UNHASHED),
            key=lambda f: f.attname,
        )
        self.model = history_model
        self.table = history_model._meta.db_table
        self.vendor = vendor
        self.names = [f.attname for f in fields]
        json_values = _JsonValues()
        columns = [_column(f, vendor, json_values) for f in fields]
        self.select = [sql for sql, _convert in columns] + ['"history_id"', '"chain_hash"']
        self.converters = [(name, convert) for name, (_sql, convert) in zip(self.names, columns, strict=True)
                           if convert is not None]
        self.position = {name: i for i, name in enumerate(self.names)}
        self.suffix = ',"table":' + json.dumps(self.table) + "}"
        self.digest_sql = _digest_sql(fields, self.table) if vendor == "postgresql" else None
        record_model = getattr(history_model, "instance_type", None)
        self.record_model = record_model if record_model is not None and "id" in self.position else None
        if self.record_model is not None:
            self.tracked_names = [f.attname for f in record_model._meta.concrete_fields]
            self.tracked = operator.itemgetter(*[self.position[name] for name in self.tracked_names])

    def history_sql(self, low=None, high=None, lane=None):
        """The rows of a chain in chain order; with bounds, only chain_seq in [low, high) (NULL in the last).

        `lane` None reads every row of the table (lane by lane), else only that lane's chain.
        """
        where, params = [], []
        if lane is not None:
            where.append('"chain_lane" = %s')
            params.append(lane)
        if low is not None:
            where.append('"chain_seq" >= %s' + (' OR "chain_seq" IS NULL' if high is None else ""))
            params.append(low)
        if high is not None:
            where.append('"chain_seq" < %s')
            params.append(high)
        sql = f'SELECT {", ".join(self.select)} FROM "{self.table}"'
        if where:
            sql += " WHERE " + " AND ".join(f"({w})" for w in where)
        order = ' ORDER BY "chain_seq", "history_id"'
        if lane is None:
            order = ' ORDER BY "chain_lane", "chain_seq", "history_id"'
        return sql + order, params

    def checked_sql(self, low, high, lane):
        """PostgreSQL: one lane's rows in [low, high) in chain order, checked by the database, of which only those
        Python must look at: the first and the last, every row whose link (sequence, chain_prev, history id order)
        differs from its predecessor's, and every row whose digest the database did not compute or found different.

        Each comes with its position in the range, whether it is the last, its predecessor's chain_seq, chain_hash
        and history_id, and `_ok`: true when the database's digest (row_digest, where it renders the row exactly)
        equals chain_hash; false or NULL, Python hashes the row as _walk does.
        """
        where, params = ['"chain_lane" = %s'], [lane]
        if low is not None:
            where.append('"chain_seq" >= %s' + (' OR "chain_seq" IS NULL' if high is None else ""))
            params.append(low)
        if high is not None:
            where.append('"chain_seq" < %s')
            params.append(high)
        ok = "NULL::boolean"
        if self.digest_sql is not None:
            digest, safe = self.digest_sql
            ok = f'CASE WHEN {safe} THEN {digest} = "chain_hash" END'
        inner = (
            f'SELECT t.*, row_number() OVER w AS "_n", lead("history_id") OVER w IS NULL AS "_last", '
            f'lag("chain_seq") OVER w AS "_prev_seq", lag("chain_hash") OVER w AS "_prev_hash", '
            f'lag("history_id") OVER w AS "_prev_id", {ok} AS "_ok" '
            f'FROM "{self.table}" t WHERE ' + " AND ".join(f"({w})" for w in where)
            + ' WINDOW w AS (ORDER BY "chain_seq", "history_id")'
        )
        sql = (
            f'SELECT {", ".join(self.select)}, "_n", "_last", "_prev_seq", "_prev_hash", "_prev_id", "_ok" '
            f"FROM ({inner}) r "
            'WHERE "_ok" IS NOT TRUE OR "_n" = 1 OR "_last" OR "chain_seq" IS DISTINCT FROM "_prev_seq" + 1 '
            'OR "chain_prev" IS DISTINCT FROM "_prev_hash" OR "history_id" <= "_prev_id" '
            'ORDER BY "chain_seq", "history_id"'
        )
        return sql, params

    def live_problems_sql(self):
        """PostgreSQL: (live pk, history's id, its newest history_type) of every object whose live row and newest
        history row (the highest history_id, whatever its lane) disagree, live rows first, each by id; and the SQL
        counting the live rows. Columns compare as stored (JSON as its text, as Python compares it)."""
        def value(model_field):
            column = '"' + model_field.column.replace('"', '""') + '"'
            return f"{column}::text" if isinstance(model_field, models.JSONField) else column

        history_fields = {f.attname: f for f in self.model._meta.concrete_fields}
        live_fields = {f.attname: f for f in self.record_model._meta.concrete_fields}
        names = [f'"_c{i}"' for i in range(len(self.tracked_names))]
        pairs = list(zip(self.tracked_names, names, strict=True))
        history = ", ".join(f"{value(history_fields[n])} AS {c}" for n, c in pairs)
        live = ", ".join(f"{value(live_fields[n])} AS {c}" for n, c in pairs)
        pk = '"' + self.record_model._meta.pk.column.replace('"', '""') + '"'
        live_table = self.record_model._meta.db_table
        sql = (
            f'SELECT l."_pk", h."_pk", h."history_type" FROM (SELECT "id" AS "_pk", "history_type", {history} '
            f'FROM (SELECT *, lead("id") OVER (ORDER BY "id", "history_id") IS DISTINCT FROM "id" AS "_newest" '
            f'FROM "{self.table}") t WHERE "_newest") h '
            f'FULL JOIN (SELECT {pk} AS "_pk", {live} FROM "{live_table}") l ON l."_pk" = h."_pk" '
            'WHERE h."_pk" IS NULL OR (l."_pk" IS NULL AND h."history_type" <> \'-\') '
            'OR (l."_pk" IS NOT NULL AND (h."history_type" = \'-\' OR '
            f'ROW({", ".join("h." + n for n in names)}) IS DISTINCT FROM ROW({", ".join("l." + n for n in names)}))) '
            'ORDER BY l."_pk" IS NULL, coalesce(l."_pk", h."_pk")'
        )
        return sql, f'SELECT count(*) FROM "{live_table}"'

    def live_sql(self):
        """The live rows, each column read exactly as its history column is (so raw values compare)."""
        select = [_column(f, self.vendor, None)[0] for f in self.record_model._meta.concrete_fields]
        return f'SELECT {", ".join(select)} FROM "{self.record_model._meta.db_table}"', []


def _raw_rows(sql, params, using):
    """Plain tuples straight from the database cursor, streamed (a server-side cursor on PostgreSQL)."""
    with connections[using].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            yield from rows


FETCH_ROWS = 10_000


def digests(history_model, using="default"):
    """(history_id, digest) of every row as verify computes it, which must equal history.row_digest."""
    columns = _Columns(history_model, connections[using].vendor)
    names, converters, suffix = columns.names, columns.converters, columns.suffix
    prev_i = columns.position["chain_prev"]
    for row in _raw_rows(*columns.history_sql(), using):
        values = dict(zip(names, row, strict=False))
        for name, convert in converters:
            values[name] = convert(values[name])
        payload = row[prev_i] + '{"fields":' + _dumps(values) + suffix
        yield row[-2], hashlib.sha256(payload.encode()).hexdigest()


_dumps = json.JSONEncoder(separators=(",", ":"), default=str).encode
if json.encoder.c_make_encoder is not None:
    # json.dumps(separators=(",", ":"), default=str) without building its C encoder again for every row.
    _c_encode = json.encoder.c_make_encoder(
        None, str, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )

    def _dumps(value, _join="".join, _encode=_c_encode):
        return _join(_encode(value, 0))


# --- Walking a chain ------------------------------------------------------------------------------------------


@dataclass
class _Run:
    """What walking one run of a chain found; `first` is set when the run's first link is the caller's to check."""

    count: int = 0
    problem: str = ""
    first: tuple = None  # (history_id, chain_seq, chain_prev) of the first row
    seq: int = 0  # the last row's
    link: str = GENESIS
    history_id: int = None
    # object id -> (history_type, fingerprint of its tracked values, history_id)
    newest: dict = field(default_factory=dict)


def _link_problem(table, history_id, seq, prev, expected_seq, prev_hash, prev_id):
    where = f"{table} history_id={history_id}"
    if seq != expected_seq:
        if seq is not None and expected_seq is not None and seq > expected_seq:
            return f"{where}: rows {expected_seq}..{seq - 1} of the chain are missing"
        return f"{where}: sequence {seq} where {expected_seq} was expected"
    if prev != prev_hash:
        return f"{where}: does not link to the row before it (removed or reordered rows)"
    if prev_id is not None and history_id <= prev_id:
        return f"{where}: out of order (history ids reordered)"
    return ""


def _walk(columns, rows, using, *, seq=0, link=GENESIS, lane=0):
    """Check rows of one chain, in chain order, that follow the row numbered `seq` whose hash is `link`.

    With link None the rows start anywhere in the chain: the first row's number and link are taken as they
    are (and returned in `first` for the caller to join to the run before). Stops at the first bad row.
    """
    names, converters, suffix = columns.names, columns.converters, columns.suffix
    table = _label(columns.table, lane)
    seq_i, prev_i = columns.position["chain_seq"], columns.position["chain_prev"]
    id_i, type_i = columns.position.get("id"), columns.position["history_type"]
    history_id_i, hash_i = len(names), len(names) + 1
    tracked = columns.tracked if columns.record_model is not None else None
    sha256 = hashlib.sha256
    run = _Run()
    newest = run.newest
    rows = iter(rows)
    prev_id, dumps = None, _dumps
    if link is None:
        first = next(rows, None)
        if first is None:
            return run
        run.first = (first[history_id_i], first[seq_i], first[prev_i])
        if first[seq_i] is None:
            run.count = 1
            return run
        seq, link, rows = first[seq_i] - 1, first[prev_i], itertools.chain([first], rows)
    expected_seq, prev_hash, count = seq + 1, link, 0
    for row in rows:
        count += 1
        history_id, stored = row[history_id_i], row[hash_i]
        if row[seq_i] != expected_seq or row[prev_i] != prev_hash or (prev_id is not None and history_id <= prev_id):
            run.problem = _link_problem(table, history_id, row[seq_i], row[prev_i], expected_seq, prev_hash, prev_id)
            break
        values = dict(zip(names, row, strict=False))
        for name, convert in converters:
            values[name] = convert(values[name])
        if (sha256((prev_hash + '{"fields":' + dumps(values) + suffix).encode()).hexdigest() != stored
                and not _exact_digest_matches(columns.model, history_id, stored, using)):
            run.problem = f"{table} history_id={history_id}: content altered (hash mismatch)"
            break
        if tracked is not None:
            newest[row[id_i]] = (row[type_i], hash(tracked(row)), history_id)
        expected_seq, prev_hash, prev_id = expected_seq + 1, stored, history_id
    run.count, run.seq, run.link, run.history_id = count, expected_seq - 1, prev_hash, prev_id
    return run


def _walk_checked(columns, rows, using, *, seq=0, link=GENESIS, lane=0):
    """_walk over the rows of Columns.checked_sql: the database checked every row's link and most rows' digests
    and sent only the rows to look at, each with its predecessor's values; the same findings as _walk."""
    names, converters, suffix = columns.names, columns.converters, columns.suffix
    table = _label(columns.table, lane)
    seq_i, prev_i = columns.position["chain_seq"], columns.position["chain_prev"]
    history_id_i, hash_i = len(names), len(names) + 1
    n_i, last_i, prev_seq_i, prev_hash_i, prev_id_i, ok_i = range(len(names) + 2, len(names) + 8)
    sha256, dumps = hashlib.sha256, _dumps
    run = _Run()
    for row in rows:
        n, history_id, stored, row_seq = row[n_i], row[history_id_i], row[hash_i], row[seq_i]
        if n == 1:
            if link is None:
                run.first = (history_id, row_seq, row[prev_i])
                if row_seq is None:
                    run.count = 1
                    return run
                expected_seq, prev_hash, prev_id = row_seq, row[prev_i], None
            else:
                expected_seq, prev_hash, prev_id = seq + 1, link, None
        else:
            # Every row before this one passed (a failing row is always sent, and the walk stops there).
            previous = row[prev_seq_i]
            expected_seq = None if previous is None else previous + 1
            prev_hash, prev_id = row[prev_hash_i], row[prev_id_i]
        run.count = n
        if row_seq != expected_seq or row[prev_i] != prev_hash or (prev_id is not None and history_id <= prev_id):
            run.problem = _link_problem(table, history_id, row_seq, row[prev_i], expected_seq, prev_hash, prev_id)
            return run
        if row[ok_i] is not True:  # not hashed by the database (or hashed differently): Python decides
            values = dict(zip(names, row, strict=False))
            for name, convert in converters:
                values[name] = convert(values[name])
            if (sha256((prev_hash + '{"fields":' + dumps(values) + suffix).encode()).hexdigest() != stored
                    and not _exact_digest_matches(columns.model, history_id, stored, using)):
                run.problem = f"{table} history_id={history_id}: content altered (hash mismatch)"
                return run
        if row[last_i]:
            run.seq, run.link, run.history_id = row_seq, stored, history_id
    return run


def _exact_digest_matches(history_model, history_id, stored, using):
    """The fast digest differs: recompute it from the model instance, as it was written, before calling it altered."""
    row = history_model._base_manager.using(using).filter(history_id=history_id).first()
    return row is not None and row_digest(row) == stored


def _label(table, lane):
    """A chain named in a finding: lane 0 by its table (as before lanes existed), other lanes by number."""
    return table if not lane else f"{table} lane {lane}"


def _join(table, runs):
    """Runs of one chain in order, each starting where the one before ended (or not): one run from row 1.

    `table` is the chain's label (see _label)."""
    joined = _Run()
    for run in runs:
        if run.first is not None:
            history_id, seq, prev = run.first
            problem = _link_problem(table, history_id, seq, prev, joined.seq + 1, joined.link, joined.history_id)
            if problem:
                joined.count += 1
                joined.problem = problem
                return joined
        joined.count += run.count
        if run.problem:
            joined.problem = run.problem
            return joined
        if run.count:
            joined.seq, joined.link, joined.history_id = run.seq, run.link, run.history_id
        joined.newest.update(run.newest)
    return joined


@dataclass
class _LiveProblems:
    """What the database found comparing a table's live rows with their newest history rows (PostgreSQL)."""

    count: int = 0
    problems: list = field(default_factory=list)  # (live pk or None, history's id or None, its history_type)


def _live_problems(columns, using):
    problems_sql, count_sql = columns.live_problems_sql()
    with connections[using].cursor() as cursor:
        cursor.execute(count_sql)
        count = cursor.fetchone()[0]
        cursor.execute(problems_sql)
        return _LiveProblems(count, cursor.fetchall())


def _live_fingerprints(columns, using):
    """Every live row of the table that `columns`' history records: id -> fingerprint of its values."""
    pk_i = columns.tracked_names.index(columns.record_model._meta.pk.attname)
    return {row[pk_i]: hash(row) for row in _raw_rows(*columns.live_sql(), using)}


# --- The snapshot, and tables in parallel -----------------------------------------------------------------------


def _snapshot(using):
    """One consistent read of the whole database (an atomic block, REPEATABLE READ on PostgreSQL)."""
    conn = connections[using]
    outermost = not conn.in_atomic_block
    block = transaction.atomic(using=using)
    block.__enter__()
    if outermost and conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(NO_JIT)
    return block, outermost


# The digest queries are costed high enough to be JIT-compiled, which takes longer than it saves on them.
NO_JIT = "SET LOCAL jit = off"


# A chain longer than this is read in ranges by the parallel workers (each range checked on its own, then joined).
RANGE_ROWS = 25_000
# Below this many history rows in all, worker processes cost more than they save.
PARALLEL_MIN_ROWS = 50_000


def default_workers():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def verify(using="default", *, anchors_too=False, files=None, workers=None):
    """Check every table, guard, chain, signature, live row (and anchors, evidence files when asked).

    `files` is None (skip files) or a `FileCheck`. `workers` > 1 reads the chains in that many processes sharing
    the snapshot (PostgreSQL, outside a transaction); None chooses by the cores and the rows. Never writes.
    """
    report = ChainReport()
    block, outermost = _snapshot(using)
    try:
        existing = set(connections[using].introspection.table_names())
        _check_tables_and_guards(report, existing, using)
        heads = _heads(using)
        vendor = connections[using].vendor
        tables = [_Columns(m, vendor) for m in history_models() if m._meta.db_table in existing]
        for columns in tables:
            _add_stray_lanes(heads, columns, using)
        if workers is None:
            rows = sum(_head_seq(heads, columns) for columns in tables)
            workers = default_workers() if rows >= PARALLEL_MIN_ROWS else 1
        parallel = workers > 1 and vendor == "postgresql" and outermost
        runs, live = _read(tables, existing, heads, using, workers if parallel else 1)
        for columns in tables:
            _check_table(report, columns, runs[columns.table], live.get(columns.table), heads)
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


def _tracks(columns, existing):
    return columns.record_model is not None and columns.record_model._meta.db_table in existing


def _lanes(heads, columns):
    """The lanes of a table's history: lane 0 always, every other lane that has a head."""
    return sorted({0} | {lane for (table, lane) in heads if table == columns.table})


def _head_seq(heads, columns, lane=None):
    """The newest row number of one lane, or (lane None) of all lanes together."""
    if lane is None:
        return sum(_head_seq(heads, columns, lane) for lane in _lanes(heads, columns))
    return heads.get((columns.table, lane), (0,))[0]


def _ranges(head_seq):
    """[low, high) bounds that split a chain of about `head_seq` rows; open at both ends so no row is left out."""
    bounds = list(range(RANGE_ROWS + 1, head_seq + 1, RANGE_ROWS))
    return list(zip([None, *bounds], [*bounds, None], strict=True))


def _read(tables, existing, heads, using, workers):
    """Every chain, in ranges, and every live row: {table: [run in chain order]}, {table: live fingerprints}.

    With workers > 1 the reads run in that many processes, each importing this transaction's snapshot; else here.
    """
    jobs = []  # (estimated rows, table, lane, range; or lane and range None for the live rows)
    for columns in tables:
        for lane in _lanes(heads, columns):
            head_seq = _head_seq(heads, columns, lane)
            jobs += [(min(head_seq, RANGE_ROWS), columns.table, lane, bounds) for bounds in _ranges(head_seq)]
        if _tracks(columns, existing):
            jobs.append((min(_head_seq(heads, columns), RANGE_ROWS) // 2, columns.table, None, None))
    if workers > 1:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        jobs.sort(key=lambda job: -job[0])  # the longest first, so no worker is left with a long one at the end
        context = multiprocessing.get_context("fork")  # the children share this process's settings and hash seed
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start,
                                 initargs=(using, snapshot)) as pool:
            futures = {(table, lane, bounds): pool.submit(_worker_read, table, lane, bounds)
                       for _rows, table, lane, bounds in jobs}
            results = {key: future.result() for key, future in futures.items()}
    else:
        reader = _Reader(using, tables)
        results = {(table, lane, bounds): reader.read(table, lane, bounds) for _rows, table, lane, bounds in jobs}
    runs = {
        columns.table: {
            lane: [results[columns.table, lane, bounds] for bounds in _ranges(_head_seq(heads, columns, lane))]
            for lane in _lanes(heads, columns)
        }
        for columns in tables
    }
    live = {table: result for (table, lane, bounds), result in results.items() if lane is None}
    return runs, live


class _Reader:
    def __init__(self, using, tables):
        self.using = using
        self.columns = {columns.table: columns for columns in tables}

    def read(self, table, lane, bounds):
        """One range (bounds) of one lane's chain, or the live rows of its table (lane None)."""
        columns, using = self.columns[table], self.using
        low, high = bounds if bounds is not None else (None, None)
        if columns.vendor == "postgresql":
            if lane is None:
                return _live_problems(columns, using)
            rows = _raw_rows(*columns.checked_sql(low, high, lane), using)
            if low is None:
                return _walk_checked(columns, rows, using, lane=lane)
            return _walk_checked(columns, rows, using, link=None, lane=lane)
        if lane is None:
            return _live_fingerprints(columns, using)
        rows = _raw_rows(*columns.history_sql(low, high, lane=lane), using)
        if low is None:
            return _walk(columns, rows, using, lane=lane)
        return _walk(columns, rows, using, link=None, lane=lane)


_worker = {}


def _worker_start(using, snapshot):
    """In a worker process: a connection of its own, in the coordinator's snapshot.

    The connection inherited from the coordinator is kept referenced and never used or closed here: closing
    it would end the coordinator's session.
    """
    if not re.fullmatch(r"[0-9A-F-]+", snapshot):
        raise ValueError(f"not a snapshot id: {snapshot!r}")
    _worker["inherited"] = connections[using]
    connection = connections.create_connection(using)
    connections[using] = connection
    connection.set_autocommit(False)
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        cursor.execute(NO_JIT)
    _worker["reader"] = _Reader(using, [_Columns(m, connection.vendor) for m in history_models()])


def _worker_read(table, lane, bounds):
    return _worker["reader"].read(table, lane, bounds)


# --- Findings -------------------------------------------------------------------------------------------------


def _heads(using):
    from .models import ChainHead

    return {
        (table, lane): (seq, link, signature)
        for table, lane, seq, link, signature in ChainHead.objects.using(using).values_list(
            "table", "lane", "seq", "hash", "signature"
        )
    }


def _add_stray_lanes(heads, columns, using):
    """Lanes that have rows but no head (moved rows, or a head row removed) are walked too, as if their head were
    empty: their rows then break the chain or the (missing) head's count, whatever they hold."""
    known = _lanes(heads, columns)
    marks = ", ".join(["%s"] * len(known))
    with connections[using].cursor() as cursor:
        cursor.execute(f'SELECT DISTINCT "chain_lane" FROM "{columns.table}" WHERE "chain_lane" NOT IN ({marks})',
                       known)
        for (lane,) in cursor.fetchall():
            heads[columns.table, lane] = (0, GENESIS, None)
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


def _check_table(report, columns, lanes, live, heads):
    """One table: each lane's chain joined from its runs and ended where its signed head says, then live rows."""
    table = columns.table
    report.tables_checked += 1
    newest, chains = {}, {}
    for lane, runs in sorted(lanes.items()):
        chain = chains[lane] = _join(_label(table, lane), runs)
        report.rows_checked += chain.count
        if chain.problem:
            report.add("chain-broken", chain.problem)
            return
    for lane, chain in sorted(chains.items()):
        label = _label(table, lane)
        head_seq, head_hash, signature = heads.get((table, lane), (0, GENESIS, None))
        if (head_seq, head_hash) != (chain.seq, chain.link):
            report.add("chain-head-mismatch", (
                f"{label} after history_id={chain.history_id}: the chain head says row {head_seq} is the newest but "
                f"the {'lane' if lane else 'table'} ends at row {chain.seq} (newest rows removed)"
            ))
            return
        if signature is not None and not anchors.head_signature_valid(table, head_seq, head_hash, signature,
                                                                      lane=lane):
            report.add("head-signature-invalid", (
                f"{label}: the head (row {head_seq}) is not signed with the history key "
                "(rows forged or rewritten with recomputed links)"
            ))
        # An object's newest row is its highest history id (its changes may be in several lanes).
        for pk, entry in chain.newest.items():
            earlier = newest.get(pk)
            if earlier is None or earlier[2] < entry[2]:
                newest[pk] = entry
    if isinstance(live, _LiveProblems):
        _report_live_problems(report, columns.record_model, live)
    elif live is not None:
        _compare_live_rows(report, columns.record_model, newest, live)


def _compare_live_rows(report, record_model, newest, live):
    """Every live row equals its newest history row; every object history says exists is there.

    Live and history columns are read alike, so their raw values are compared as they come (hashed).
    """
    table = record_model._meta.db_table
    problems = []
    report.records_checked += len(live)
    for pk, fingerprint in live.items():
        expected = newest.get(pk)
        if expected is None:
            problems.append(("record-without-history", f"{table} id={pk}: a live row with no history at all"))
        elif expected[0] == "-" or expected[1] != fingerprint:
            problems.append((
                "record-changed-without-history",
                f"{table} id={pk}: the live row differs from its newest history row (changed without history)",
            ))
    for pk, (history_type, _digest, _history_id) in newest.items():
        if pk not in live and history_type != "-":
            problems.append(("record-missing", f"{table} id={pk}: history says it exists but the row is gone"))
    _add_record_findings(report, table, problems)


def _report_live_problems(report, record_model, live):
    """The findings of _compare_live_rows, from what the database found (_LiveProblems)."""
    table = record_model._meta.db_table
    report.records_checked += live.count
    problems = []
    for live_pk, history_pk, _history_type in live.problems:
        if live_pk is None:
            problems.append(("record-missing", f"{table} id={history_pk}: history says it exists but the row is gone"))
        elif history_pk is None:
            problems.append(("record-without-history", f"{table} id={live_pk}: a live row with no history at all"))
        else:
            problems.append((
                "record-changed-without-history",
                f"{table} id={live_pk}: the live row differs from its newest history row (changed without history)",
            ))
    _add_record_findings(report, table, problems)


def _add_record_findings(report, table, problems):
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
        for head, (seq, link, _signature) in sorted(entry["heads"].items()):
            table, lane = anchors.parse_head_name(head)
            model = models_by_table.get(table)
            if model is None or table not in existing:
                report.add("anchor-not-extended", f"{where}: table {table} is gone")
                continue
            if seq == 0:
                continue
            found = list(
                model._base_manager.using(using).filter(chain_lane=lane, chain_seq=seq)
                .values_list("chain_hash", flat=True)[:2]
            )
            if found != [link]:
                report.add("anchor-not-extended", (
                    f"{where}: {_label(table, lane)} row {seq} no longer carries the anchored link "
                    f"(history rewritten or removed since {entry.get('at')})"
                ))
