"""verify_history's fast reading hashes exactly as history.row_digest does, and reading a chain in ranges (or in
worker processes sharing one snapshot) finds exactly what one pass over it finds (issue 13 item 4)."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from complaints import chain
from complaints.history import recorded, row_digest
from complaints.models import Complaint

from .test_purge_everywhere import every_table_filled  # noqa: F401 - a fixture used below
from .test_tamper_evidence import drop_guards, execute

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def findings(**options):
    report = chain.verify(**options)
    return report.breaks, report.rows_checked, report.records_checked, report.head


def in_ranges_and_in_one_pass(monkeypatch):
    """verify's findings with every chain read in ranges of two rows, and read in one pass."""
    with monkeypatch.context() as patch:
        patch.setattr(chain, "RANGE_ROWS", 2)
        ranged = findings(workers=1)
    return ranged, findings(workers=1)


@pytest.fixture
def awkward_values(complaint_with_everything):
    """A complaint whose history holds the values easiest to hash differently: a timestamp on a whole second,
    non-ASCII, quotes and control characters, nested JSON with unsorted keys and a float, no incident time."""
    complaint = complaint_with_everything
    with recorded(label="test", reason="awkward values"):
        complaint.received_at = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)
        complaint.incident_at = None
        complaint.narrative = 'Zoë said "stop" \\ then\n\t☃ 𝄞 \x01 — 停'
        complaint.accessibility_needs = [{"z": [1, 2.5, None], "a": {"é": True, "b": False}}, "interpreter"]
        complaint.save()
    return complaint


def test_the_fast_digest_equals_row_digest_for_every_history_model(every_table_filled, awkward_values):  # noqa: F811
    for model in chain.history_models():
        fast = dict(chain.digests(model))
        rows = list(model._base_manager.all())
        assert rows, f"{model._meta.db_table} has no row to compare"
        for row in rows:
            assert fast[row.history_id] == row_digest(row) == row.chain_hash, (model._meta.db_table, row.history_id)


def test_the_digest_of_a_whole_second_timestamp_is_padded_to_microseconds(awkward_values):
    model = Complaint.history.model
    row = model._base_manager.filter(history_change_reason="awkward values").get()
    assert row.received_at.microsecond == 0
    assert dict(chain.digests(model))[row.history_id] == row_digest(row) == row.chain_hash


def test_ranges_find_nothing_on_intact_data_and_count_the_same(every_table_filled, monkeypatch):  # noqa: F811
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    assert whole[0] == [] and whole[1] > 20 and whole[2] > 5


@pytest.fixture
def complaint_history(complaint_with_everything):
    """The complaint's history table with seven rows (ranges of two: [1, 3) [3, 5) [5, 7) [7, ...))."""
    complaint = complaint_with_everything
    for n in range(6):
        with recorded(label="test", reason=f"location corrected ({n})"):
            complaint.location = f"Main St and {n + 1}th"
            complaint.save()
    return Complaint.history.model


def chain_findings(result):
    """The chain findings (dropping the guards to tamper is a finding of its own)."""
    return [finding for finding in result[0] if finding.startswith("chain-")]


def _rows(model):
    return list(model._base_manager.order_by("chain_seq").values_list("history_id", "chain_seq"))


def test_ranges_find_a_row_altered_in_the_middle_of_a_range(complaint_history, monkeypatch):
    model = complaint_history
    table = model._meta.db_table
    rows = _rows(model)
    drop_guards(table)
    history_id, seq = rows[3]  # row 4: the second row of the range [3, 5)
    execute(f'UPDATE "{table}" SET narrative = %s WHERE history_id = %s', ["rewritten", history_id])
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    assert chain_findings(whole)[0] == f"chain-broken: {table} history_id={history_id}: content altered (hash mismatch)"


@pytest.mark.parametrize("removed", [[3], [3, 4], [5]], ids=["first-of-a-range", "a-whole-range", "last-row"])
def test_ranges_find_rows_removed_at_a_seam(complaint_history, monkeypatch, removed):
    model = complaint_history
    table = model._meta.db_table
    rows = _rows(model)
    if removed == [5]:
        removed = [len(rows)]  # the newest row: only the chain head tells
    drop_guards(table)
    for seq in removed:
        execute(f'DELETE FROM "{table}" WHERE chain_seq = %s', [seq])
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    if removed[-1] < len(rows):
        after = rows[removed[-1]][0]
        assert chain_findings(whole)[0] == (f"chain-broken: {table} history_id={after}: "
                               f"rows {removed[0]}..{removed[-1]} of the chain are missing")
    else:
        assert chain_findings(whole)[0].startswith(f"chain-head-mismatch: {table} after")


def test_ranges_find_a_relinked_seam(complaint_history, monkeypatch):
    """A row whose predecessor was swapped out at a seam: its link no longer matches the range before it."""
    model = complaint_history
    table = model._meta.db_table
    rows = _rows(model)
    drop_guards(table)
    history_id, _seq = rows[2]  # row 3: the first row of the range [3, 5)
    execute(f'UPDATE "{table}" SET chain_prev = %s WHERE history_id = %s', ["f" * 64, history_id])
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    assert chain_findings(whole)[0] == (f"chain-broken: {table} history_id={history_id}: "
                           "does not link to the row before it (removed or reordered rows)")


def test_ranges_find_a_row_altered_in_a_second_table(complaint_history, monkeypatch):
    tables = [m for m in chain.history_models() if m._base_manager.count() >= 4]
    assert len(tables) >= 2  # the seeded categories, then the complaint's
    model = tables[1]
    table = model._meta.db_table
    history_id, _seq = _rows(model)[2]
    drop_guards(table)
    execute(f'UPDATE "{table}" SET history_change_reason = %s WHERE history_id = %s', ["rewritten", history_id])
    ranged, whole = in_ranges_and_in_one_pass(monkeypatch)
    assert ranged == whole
    assert chain_findings(whole) == [f"chain-broken: {table} history_id={history_id}: content altered (hash mismatch)"]


@postgresql_only
def test_worker_processes_read_the_commands_snapshot_and_find_the_same():
    """Worker processes can only see committed rows, and this test's own transaction is invisible to any other
    session: the command runs in a process of its own on the test database's committed (seeded) history."""
    database = connection.settings_dict
    url = (f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
           f"{database['PORT'] or 5432}/{database['NAME']}")
    env = {**os.environ, "DATABASE_URL": url}

    def command(*args):
        done = subprocess.run([sys.executable, "manage.py", "verify_history", *args], env=env,
                              capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=600)
        return done.returncode, done.stdout, done.stderr

    one, two = command("--workers", "1"), command("--workers", "2")
    assert two == one
    assert one[0] == 0 and "History intact" in one[1], one
