"""On PostgreSQL, verify_history lets the database hash the history rows it renders exactly as history.row_digest
does, and hashes the others in Python (issue 13 item 4): the database's JSON equals Python's canonical JSON for
every value it is used for, can never equal it for the values it can't render (non-ASCII text and 0x7f, which
Python escapes), and tampering is found whichever path checks a row. The tampering tests run on SQLite too (the
Python path), with the same findings."""

import datetime
import json

import pytest
from django.db import connection, models

from complaints import chain
from complaints.history import UNHASHED, _canonical, recorded, row_digest
from complaints.models import Complaint

from .test_purge_everywhere import every_table_filled  # noqa: F401 - a fixture used below
from .test_tamper_evidence import drop_guards, execute
from .test_verify_history import chain_findings, in_ranges_and_in_one_pass

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                     reason="the digest is computed by the database on PostgreSQL only")

# Text that json.dumps (ensure_ascii) and PostgreSQL's to_json write alike: every character from 0x01 to 0x7e.
ASCII_TEXT = [
    "",
    "plain words",
    'a "quoted" word, a backslash \\ and a slash /',
    "controls \x01\x02\x07\x08\t\n\x0b\x0c\r\x0e\x1b\x1f end",
    "\\u00e9 written out, \\n too",
    "</script><!-- {}[]:, -->",
    "".join(chr(c) for c in range(1, 0x7F)),
]
# Text Python escapes (\uXXXX, surrogate pairs past 0xffff) and PostgreSQL doesn't: hashed in Python.
OTHER_TEXT = [
    "Zoë",
    "El agente registró mi bolso sin decir por qué; ¿su número de placa?",
    "أوقفني الضابط عند الزاوية",
    "Viên cảnh sát chặn tôi ở góc đường",
    "警察在街角拦住了我",
    "emoji 👮🏽\u200d♀️ and 𝄞",
    "delete \x7f character",
    "no-break\xa0space, line\u2028separator",
]


def rendered(field, value_sql, params=()):
    """(the database's JSON of a `field` column holding `value_sql`, whether verify uses it, the value read)."""
    sql, condition = chain._json_sql(field, '"x"')
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {sql}, {condition or "true"}, "x" FROM (SELECT {value_sql} AS "x") t', params)
        return cursor.fetchone()


def python_json(field, value):
    """The JSON row_digest writes for `field` holding `value` (as Django reads it)."""
    return json.dumps(_canonical(field, value), sort_keys=True, separators=(",", ":"), default=str)


@postgresql_only
@pytest.mark.parametrize("text", ASCII_TEXT, ids=range(len(ASCII_TEXT)))
@pytest.mark.parametrize("field", [models.TextField(), models.CharField(max_length=500), models.SlugField(),
                                   models.EmailField()], ids=["text", "char", "slug", "email"])
def test_ascii_text_is_rendered_exactly_as_python_does(field, text):
    sql, used, value = rendered(field, "%s::text", [text])
    assert used and value == text
    assert sql == python_json(field, text)


@postgresql_only
@pytest.mark.parametrize("text", OTHER_TEXT, ids=range(len(OTHER_TEXT)))
def test_other_text_never_renders_as_python_does_so_python_hashes_it(text):
    sql, _used, value = rendered(models.TextField(), "%s::text", [text])
    python = python_json(models.TextField(), value)
    assert python.isascii() and "\\u" in python  # Python escapes it...
    assert sql != python and any(ord(c) >= 0x7F for c in sql)  # ...the database can't, and no ASCII payload matches


@postgresql_only
def test_nulls_booleans_and_big_integers_are_rendered_exactly_as_python_does():
    cases = [
        (models.TextField(null=True), "NULL::text", "null"),
        (models.BooleanField(), "true", "true"),
        (models.BooleanField(), "false", "false"),
        (models.BooleanField(null=True), "NULL::boolean", "null"),
        (models.BigIntegerField(), str(2**63 - 1), str(2**63 - 1)),
        (models.BigIntegerField(), f"({-(2**63)})::bigint", str(-(2**63))),
        (models.PositiveBigIntegerField(), "0::bigint", "0"),
        (models.IntegerField(null=True), "NULL::integer", "null"),
        # A NULL file column reads as a file without a name: "" in the digest; a name is its text.
        (models.FileField(null=True), "NULL::varchar", '""'),
        (models.FileField(), "''::varchar", '""'),
        (models.FileField(), "'evidence/2026/03/a \"b\" c.mp4'::varchar", '"evidence/2026/03/a \\"b\\" c.mp4"'),
    ]
    for field, value_sql, expected in cases:
        sql, used, value = rendered(field, value_sql)
        assert used and sql == expected, (field, value_sql, sql)
        if not isinstance(field, models.FileField):
            assert sql == python_json(field, value)


@postgresql_only
@pytest.mark.parametrize("value_sql", [
    "'2026-03-01 12:00:00+00'", "'2026-03-01 12:00:00.000001+05:30'", "'1999-12-31 23:59:59.999999-08'",
    "'2026-06-30 22:30:00.5+02'", "'0001-01-01 00:00:00+00'", "NULL",
])
def test_timestamps_with_microseconds_and_time_zones_are_rendered_exactly_as_python_does(value_sql):
    field = models.DateTimeField(null=True)
    sql, used, value = rendered(field, f"{value_sql}::timestamptz")
    assert used and sql == python_json(field, value)


@postgresql_only
@pytest.mark.parametrize("value_sql", ["'2026-02-28'", "'0999-01-01'", "'2024-02-29'", "NULL"])
def test_dates_are_rendered_exactly_as_python_does(value_sql):
    field = models.DateField(null=True)
    sql, used, value = rendered(field, f"{value_sql}::date")
    assert used and sql == python_json(field, value)


@postgresql_only
def test_whole_floats_are_rendered_as_python_does_and_the_others_go_to_python():
    field = models.FloatField(null=True)
    for value_sql, used_expected in [("1.0", True), ("-0.0", True), ("0.0", True), ("123456789012345.0", True),
                                     ("-42.0", True), ("NULL", True), ("1e15", False), ("2.5", False),
                                     ("0.1", False), ("1e-7", False), ("1e300", False), ("'Infinity'", False),
                                     ("'NaN'", False)]:
        sql, used, value = rendered(field, f"{value_sql}::float8")
        assert used == used_expected, value_sql
        if used:
            assert sql == python_json(field, value), value_sql


@postgresql_only
def test_json_of_strings_is_rendered_as_python_does_and_the_rest_goes_to_python():
    field = models.JSONField(null=True)
    for text, used_expected in [
        ("[]", True), ("{}", True), ('["interpreter"]', True), ('["b", "a, \\"c\\"", ""]', True),
        ('{"b": "x", "a": "y", "aa": "z", "B": "w"}', True), ('"just a string"', True), ("true", True),
        ("null", True), ('["tab\\there", "\\u0001"]', True), ('["é"]', True), ('{"ü": "x"}', True),
        ("[1]", False), ("[1.5]", False), ('{"k": 1e5}', False), ('{"a": {"b": "c"}}', False), ('[["x"]]', False),
        ("[null]", False), ("3", False),
    ]:
        sql, used, stored = rendered(field, "%s::jsonb", [text])
        assert used == used_expected, text
        python = json.dumps(chain._sorted_json(json.loads(stored)), sort_keys=True, separators=(",", ":"))
        if used and python.isascii() and "\\u00" not in python.replace("\\u0001", ""):
            assert sql == python, text
        elif used:
            assert sql != python and any(ord(c) >= 0x7F for c in sql), text
    sql, used, _value = rendered(field, "NULL::jsonb")
    assert used and sql == "null"


def test_types_the_database_does_not_render_send_their_table_to_python():
    for field in [models.DecimalField(max_digits=9, decimal_places=2), models.UUIDField(), models.TimeField(),
                  models.BinaryField(), models.DurationField(), models.GenericIPAddressField()]:
        assert chain._json_sql(field, '"x"') is None, field
        field.set_attributes_from_name("x")
        assert chain._digest_sql([field], "t") is None


# --- Whole rows: every history model, and tricky values through the complaint's history -----------------------

TRICKY = [  # (narrative, accessibility_needs, incident_at): one history row each
    (ASCII_TEXT[2], ["interpreter", "wheelchair, ramp"], datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)),
    (ASCII_TEXT[3], {"zz": "last", "a": "first", "Z": "upper"}, None),
    (ASCII_TEXT[6], ["1"], datetime.datetime(2026, 3, 1, 12, 0, 0, 1, tzinfo=datetime.UTC)),
    (ASCII_TEXT[0], [], datetime.datetime(1999, 12, 31, 23, 59, 59, 999999,
                                          tzinfo=datetime.timezone(datetime.timedelta(hours=-8)))),
    (OTHER_TEXT[0], ["intérprete"], None),
    (OTHER_TEXT[2], [{"z": [1, 2.5, None], "a": {"é": True}}, "interpreter"], None),
    (OTHER_TEXT[5], ["interpreter"], None),
    (OTHER_TEXT[6], ["interpreter"], None),
    (ASCII_TEXT[1], [{"b": 1, "a": 2}], None),  # ASCII, but a nested object with numbers: Python
]


@pytest.fixture
def tricky_history(complaint_with_everything):
    """The complaint's history, one row per TRICKY value ({index: history_id}), then one more."""
    complaint = complaint_with_everything
    rows = {}
    for n, (narrative, needs, incident_at) in enumerate(TRICKY):
        with recorded(label="test", reason=f"tricky {n}"):
            complaint.narrative, complaint.accessibility_needs, complaint.incident_at = narrative, needs, incident_at
            complaint.save()
        rows[n] = Complaint.history.model._base_manager.get(history_change_reason=f"tricky {n}").history_id
    with recorded(label="test", reason="after the tricky rows"):
        complaint.location = "Main St and 5th"
        complaint.save()
    return rows


def exact_in_sql(row):
    """Whether the database renders this row's payload byte for byte: its canonical JSON, unescaped, holds only
    0x01..0x7e, and its JSON columns hold only strings (arrays or objects of strings, or one)."""
    fields = {}
    for model_field in row._meta.concrete_fields:
        if model_field.attname in UNHASHED:
            continue
        value = fields[model_field.attname] = _canonical(model_field, getattr(row, model_field.attname))
        if isinstance(model_field, models.JSONField) and value is not None:
            items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
            if not all(isinstance(item, str) for item in items) and not isinstance(value, bool | str):
                return False
        if isinstance(model_field, models.FloatField) and value is not None and not (
                value.endswith(".0") and abs(float(value)) < 1e15):
            return False
    text = json.dumps(fields, ensure_ascii=False, default=str)
    return all(0 < ord(c) < 0x7F for c in text)


@postgresql_only
def test_the_sql_digest_is_row_digest_for_every_row_it_can_render(every_table_filled, tricky_history):  # noqa: F811
    """Every history model, every row: the database's digest equals row_digest (and the stored hash) exactly when
    the row renders byte for byte; else it differs, and verify hashes the row in Python."""
    in_sql = in_python = 0
    for model in chain.history_models():
        digests = dict(chain.sql_digests(model))
        for row in model._base_manager.all():
            expected = row_digest(row)
            assert expected == row.chain_hash
            exact = exact_in_sql(row)
            assert (digests[row.history_id] == expected) == exact, (model._meta.db_table, row.history_id)
            in_sql, in_python = in_sql + exact, in_python + (not exact)
    assert in_sql > 50 and in_python > 5
    complaints = dict(chain.sql_digests(Complaint.history.model))
    for n, history_id in tricky_history.items():
        hashed_in_sql = complaints[history_id] == Complaint.history.model._base_manager.get(pk=history_id).chain_hash
        assert hashed_in_sql == (n < 4), n


def test_tricky_values_verify_intact_on_both_paths(every_table_filled, tricky_history, monkeypatch):  # noqa: F811
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    assert whole[0] == [], whole[0]


def _seq(history_id):
    return Complaint.history.model._base_manager.get(pk=history_id).chain_seq


def _next_row(history_id):
    model = Complaint.history.model
    return model._base_manager.filter(chain_seq=_seq(history_id) + 1).get().history_id


TABLE = "complaints_historicalcomplaint"


@pytest.mark.parametrize("n", [0, 1, 2, 4, 5, 6, 8], ids=lambda n: f"row{n}-{'sql' if n < 4 else 'python'}")
@pytest.mark.parametrize("tampering", ["altered", "removed", "reordered"])
def test_tampering_with_a_tricky_row_is_found_whichever_path_hashes_it(tricky_history, monkeypatch, n, tampering):
    history_id = tricky_history[n]
    drop_guards(TABLE)
    if tampering == "altered":
        execute(f'UPDATE "{TABLE}" SET narrative = narrative || %s WHERE history_id = %s', [".", history_id])
        expected = f"chain-broken: {TABLE} history_id={history_id}: content altered (hash mismatch)"
    elif tampering == "removed":
        after = _next_row(history_id)
        seq = _seq(history_id)
        execute(f'DELETE FROM "{TABLE}" WHERE history_id = %s', [history_id])
        expected = f"chain-broken: {TABLE} history_id={after}: rows {seq}..{seq} of the chain are missing"
    else:  # this row and the next swap places
        after, seq = _next_row(history_id), _seq(history_id)
        execute(f'UPDATE "{TABLE}" SET chain_seq = -1 WHERE history_id = %s', [history_id])
        execute(f'UPDATE "{TABLE}" SET chain_seq = %s WHERE history_id = %s', [seq, after])
        execute(f'UPDATE "{TABLE}" SET chain_seq = %s WHERE history_id = %s', [seq + 1, history_id])
        expected = (f"chain-broken: {TABLE} history_id={after}: "
                    "does not link to the row before it (removed or reordered rows)")
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    assert chain_findings(whole)[0] == expected


@pytest.mark.parametrize(("n", "column", "value"), [
    (4, "narrative", "Zo\\u00eb"),  # the escape Python writes for "ë", as six ASCII characters
    (0, "narrative", ASCII_TEXT[2].replace("/", "ʃ")),  # ASCII made non-ASCII
    (2, "accessibility_needs", "[1]"),  # ["1"] -> [1]: a string made a number
    (0, "accessibility_needs", '["interpreter", "wheelchair", "ramp"]'),  # "wheelchair, ramp" split in two
    (1, "accessibility_needs", '{"zz": "last", "a": "first", "z": "upper"}'),  # a key's case
    (3, "incident_at", "1999-12-31 23:59:59.999998-08"),  # one microsecond
    (6, "narrative", OTHER_TEXT[5].replace("🏽", "🏿")),  # another emoji of the same length
])
def test_subtle_changes_to_tricky_rows_are_found(tricky_history, monkeypatch, n, column, value):
    history_id = tricky_history[n]
    drop_guards(TABLE)
    if column == "incident_at" and connection.vendor == "sqlite":
        value = "2000-01-01 07:59:59.999998"  # SQLite stores UTC text
    execute(f'UPDATE "{TABLE}" SET "{column}" = %s WHERE history_id = %s', [value, history_id])
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    assert chain_findings(whole)[0] == f"chain-broken: {TABLE} history_id={history_id}: content altered (hash mismatch)"


@pytest.mark.parametrize(("column", "value"), [
    ("narrative", OTHER_TEXT[6].replace("\x7f", "")),
    ("accessibility_needs", '["interpreter "]'),
])
def test_a_live_row_changed_without_history_is_found_with_tricky_values(complaint_with_everything, tricky_history,
                                                                       monkeypatch, column, value):
    complaint = complaint_with_everything
    with recorded(label="test", reason="tricky newest"):
        complaint.narrative, complaint.accessibility_needs = OTHER_TEXT[6], ["interpreter"]
        complaint.save()
    assert chain.verify(workers=1).breaks == []
    drop_guards("complaints_complaint")
    execute(f'UPDATE complaints_complaint SET "{column}" = %s WHERE id = %s', [value, complaint.pk])
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    assert f"record-changed-without-history: complaints_complaint id={complaint.pk}: the live row differs" in \
        "\n".join(whole[0])
