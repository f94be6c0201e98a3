"""Concurrent writers of one history table append to different chains ("lanes") of it (issue 13): they never wait
for each other's commit, every lane verifies on its own, and verify_history reads one consistent snapshot while
they write (issue 9). Rows and heads written before lanes existed are lane 0 and verify exactly as before."""

import hashlib
import hmac
import threading

import pytest
from django.db import connection, connections, transaction

from complaints import anchors, chain
from complaints.models import ChainHead, Complaint
from complaints.services import file_public_complaint

COMPLAINT_HISTORY = Complaint.history.model._meta.db_table


def file_one():
    return file_public_complaint(narrative="An officer took my phone and did not give it back.",
                                 filer_role="anonymous")[0]


def in_threads(count, work):
    """Run `work` in `count` threads, each on its own database connection, started together; their errors."""
    start, errors = threading.Barrier(count), []

    def run():
        try:
            start.wait()
            work()
        except Exception as error:  # noqa: BLE001 - returned to the test, which asserts there are none
            errors.append(error)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def used_lanes(table):
    return set(ChainHead.objects.filter(table=table, seq__gt=0).values_list("lane", flat=True))


def file_while_another_filing_is_open():
    """(first, second): `first` is filed in a transaction that stays open until `second` has committed.

    On a database where writers of one history table queue for its head, the second filing waits for the first
    one's commit; lock_timeout turns that wait into an error instead of a hung test. (A filing before them
    creates the year's reference sequence, which the first filing of a year creates in its transaction.)
    """
    file_one()
    holding, release, first, errors = threading.Event(), threading.Event(), [], []

    def hold_open():
        try:
            with transaction.atomic():
                first.append(file_one())
                holding.set()
                release.wait(timeout=120)
        except Exception as error:  # noqa: BLE001 - asserted below
            errors.append(error)
            holding.set()
        finally:
            connections["default"].close()

    thread = threading.Thread(target=hold_open)
    thread.start()
    try:
        assert holding.wait(timeout=120)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '20s'")
        second = file_one()
        still_open = thread.is_alive() and not release.is_set()
    finally:
        release.set()
        thread.join()
    assert errors == []
    assert still_open
    return first[0], second


def test_lane_zero_signs_and_anchors_as_before_lanes_existed(settings):
    settings.HISTORY_CHAIN_KEY = "a key for this test"
    link = "ab" * 32
    before = hmac.new(b"a key for this test", f"complaints_historicalcomplaint:7:{link}".encode(),
                      hashlib.sha256).hexdigest()
    assert anchors.sign_head("complaints_historicalcomplaint", 7, link) == before
    assert anchors.head_signature_valid("complaints_historicalcomplaint", 7, link, before)
    assert not anchors.head_signature_valid("complaints_historicalcomplaint", 7, link, before, lane=1)
    assert anchors.parse_head_name(anchors.head_name("complaints_historicalcomplaint", 3)) == (
        "complaints_historicalcomplaint", 3)
    assert anchors.parse_head_name("complaints_historicalcomplaint") == ("complaints_historicalcomplaint", 0)


@pytest.mark.django_db
def test_the_export_chain_head_of_lane_zero_is_computed_as_before_lanes_existed():
    file_one()
    digest = hashlib.sha256()
    for table, seq, link in ChainHead.objects.order_by("table").values_list("table", "seq", "hash"):
        digest.update(f"{table}:{seq}:{link}\n".encode())
    assert used_lanes(COMPLAINT_HISTORY) == {0}
    assert chain.chain_head() == digest.hexdigest()


@pytest.mark.django_db
def test_a_row_moved_to_another_lane_breaks_the_chain():
    file_one()
    file_one()
    newest = Complaint.history.order_by("-chain_seq").first()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'DROP TRIGGER IF EXISTS "purge_guard_upd_{COMPLAINT_HISTORY}"')
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{COMPLAINT_HISTORY}" DISABLE TRIGGER USER')
        cursor.execute(f'UPDATE "{COMPLAINT_HISTORY}" SET chain_lane = 3 WHERE history_id = %s', [newest.pk])
    broken = [str(finding) for finding in chain.verify().findings if finding.code == "chain-broken"]
    assert broken == [f"chain-broken: {COMPLAINT_HISTORY} lane 3 history_id={newest.pk}: "
                      f"rows 1..{newest.chain_seq - 1} of the chain are missing"]


def test_eight_concurrent_writers_leave_every_chain_intact_and_every_reference_distinct(committed_database):
    per_writer, writers = 5, 8
    references = []

    def writer():
        for _ in range(per_writer):
            references.append(file_one().reference)

    assert in_threads(writers, writer) == []
    assert len(references) == len(set(references)) == writers * per_writer
    stored = list(Complaint.objects.values_list("reference", flat=True))
    assert len(stored) == len(set(stored)) == writers * per_writer
    report = chain.verify()
    assert report.findings == []
    assert report.rows_checked >= 2 * writers * per_writer  # each complaint and its investigation


def lane_of(complaint):
    return Complaint.history.get(id=complaint.pk).chain_lane


def test_an_open_history_write_does_not_hold_up_another_writer_of_the_same_table(committed_database):
    first, second = file_while_another_filing_is_open()
    assert lane_of(first) == 0
    assert lane_of(second) != 0
    assert used_lanes(COMPLAINT_HISTORY) == {0, lane_of(second)}
    assert chain.verify().findings == []


def test_each_lane_ends_at_its_signed_head_and_is_anchored(committed_database, settings, tmp_path):
    settings.HISTORY_ANCHOR_DIR = tmp_path / "anchors"
    lane = lane_of(file_while_another_filing_is_open()[1])
    entry = anchors.anchor_heads(reason="test")
    assert {COMPLAINT_HISTORY, f"{COMPLAINT_HISTORY}:{lane}"} <= set(entry["heads"])
    assert chain.verify(anchors_too=True).findings == []

    # The newest row of the second lane removed, as the table owner could: that lane's head still names it.
    removed = Complaint.history.filter(chain_lane=lane).order_by("-chain_seq").first()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{COMPLAINT_HISTORY}" DISABLE TRIGGER USER')
            cursor.execute(f'DELETE FROM "{COMPLAINT_HISTORY}" WHERE history_id = %s', [removed.pk])
        report = chain.verify(anchors_too=True)
        transaction.set_rollback(True)
    assert [finding.code for finding in report.findings if finding.code != "guard-missing"][:1] == [
        "chain-head-mismatch"]
    assert any(f"{COMPLAINT_HISTORY} lane {lane} after history_id=" in line for line in report.breaks)
    assert any(f"{COMPLAINT_HISTORY} lane {lane} row {removed.chain_seq} no longer carries" in line
               for line in report.breaks)


def test_a_forged_lane_head_signature_is_reported(committed_database):
    lane = lane_of(file_while_another_filing_is_open()[1])
    ChainHead.objects.filter(table=COMPLAINT_HISTORY, lane=lane).update(signature="0" * 64)
    report = chain.verify()
    assert [finding.code for finding in report.findings] == ["head-signature-invalid"]
    assert f"{COMPLAINT_HISTORY} lane {lane}: the head" in report.breaks[0]


def test_verify_history_reads_one_snapshot_while_others_file(committed_database):
    stop, filed = threading.Event(), []

    def writer():
        while not stop.is_set():
            filed.append(file_one())

    reports, overlapped, errors = [], False, []
    helper = threading.Thread(target=lambda: errors.extend(in_threads(4, writer)))
    helper.start()
    try:
        while not filed:
            stop.wait(0.05)
        for _ in range(20):  # until a run has seen filings commit while it read
            before = len(filed)
            reports.append(chain.verify())
            overlapped = len(filed) > before
            if overlapped and len(reports) >= 3:
                break
    finally:
        stop.set()
        helper.join()
    assert errors == []
    assert overlapped
    assert [report.findings for report in reports] == [[]] * len(reports)
    assert chain.verify().findings == []
