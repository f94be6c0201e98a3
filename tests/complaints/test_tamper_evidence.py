"""No path around history (refused), and verify_history detects what the database owner can still do (issue 9)."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from complaints.exceptions import PurgeRefused
from complaints.history import recorded, row_digest
from complaints.models import ChainHead, Complaint, Evidence, Message

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_history", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, str(error) + "\n" + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def drop_guards(table):
    """What the table owner (PostgreSQL) or the file owner (SQLite) can do; rolled back with the test."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'DROP TRIGGER IF EXISTS "purge_guard_del_{table}"')
            cursor.execute(f'DROP TRIGGER IF EXISTS "purge_guard_upd_{table}"')
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')


def become_app_role():
    """Switch to the app role of docs/postgres-roles.md (granted exactly as documented) for this transaction."""
    role = "complaints_app_" + connection.settings_dict["NAME"].replace("-", "_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if not cursor.fetchone():
            cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
                       "(tablename LIKE %s OR tablename IN ('complaints_evidenceaccess', 'django_admin_log'))",
                       ["%\\_historical%"])
        for (table,) in cursor.fetchall():
            cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM {role}')
        cursor.execute(f"SET LOCAL ROLE {role}")


def refusal(sql, params=()):
    """The database's error when it refuses `sql` now or at commit (deferred checks run at SET CONSTRAINTS)."""
    try:
        with transaction.atomic():
            execute(sql, params)
            if connection.vendor == "postgresql":
                execute("SET CONSTRAINTS ALL IMMEDIATE")
                execute("SET CONSTRAINTS ALL DEFERRED")
    except DatabaseError as error:
        return str(error)
    return ""


def recompute_chain(model, changes):
    """Rewrite one history row and recompute every following link, as the table owner could."""
    table = model._meta.db_table
    drop_guards(table)
    rows = list(model._base_manager.order_by("chain_seq"))
    first = rows[0]
    execute(f'UPDATE "{table}" SET {", ".join(f"{k} = %s" for k in changes)} WHERE history_id = %s',
            [*changes.values(), first.pk])
    prev = "0" * 64
    for row in model._base_manager.order_by("chain_seq"):
        row.chain_prev = prev
        row.chain_hash = row_digest(row)
        execute(f'UPDATE "{table}" SET chain_prev = %s, chain_hash = %s WHERE history_id = %s',
                [row.chain_prev, row.chain_hash, row.pk])
        prev = row.chain_hash
    execute("UPDATE complaints_chainhead SET hash = %s WHERE \"table\" = %s", [prev, table])
    return prev


# --- 1. No path around history -------------------------------------------------------------------------------


def test_the_base_manager_refuses_bulk_changes(complaint_with_everything):
    complaint = complaint_with_everything
    with pytest.raises(PurgeRefused):
        Complaint._base_manager.filter(pk=complaint.pk).update(sealed=True)
    complaint.sealed = True
    with pytest.raises(PurgeRefused):
        Complaint._base_manager.bulk_update([complaint], ["sealed"])
    with pytest.raises(PurgeRefused):
        Complaint.objects.bulk_update([complaint], ["sealed"])
    with pytest.raises(PurgeRefused):
        Complaint.objects.filter(pk=complaint.pk)._update({"sealed": True})
    with pytest.raises(PurgeRefused):
        Complaint._base_manager.filter(pk=complaint.pk)._update({"sealed": True})
    assert Complaint.objects.filter(sealed=True).count() == 0


def test_saving_without_a_history_row_is_refused(complaint_with_everything, settings):
    complaint = Complaint.objects.get(pk=complaint_with_everything.pk)
    complaint.sealed = True
    with pytest.raises(PurgeRefused), recorded(label="test", reason="sealed quietly"):
        complaint.save_without_historical_record()
    complaint.skip_history_when_saving = True
    with pytest.raises(PurgeRefused), recorded(label="test", reason="sealed quietly"):
        complaint.save()
    del complaint.skip_history_when_saving
    settings.SIMPLE_HISTORY_ENABLED = False
    with pytest.raises(PurgeRefused), recorded(label="test", reason="sealed quietly"):
        complaint.save()
    assert not Complaint.objects.get(pk=complaint.pk).sealed


def test_a_fixture_cannot_overwrite_a_record(complaint_with_everything, tmp_path):
    complaint = complaint_with_everything
    fixture = tmp_path / "over.json"
    fixture.write_text(json.dumps([{
        "model": "complaints.complaint", "pk": complaint.pk,
        "fields": {"reference": complaint.reference, "filer_role": "harmed", "narrative": "Nothing happened.",
                   "sealed": True, "received_at": "2026-01-01T00:00:00Z"},
    }]))
    with pytest.raises((PurgeRefused, CommandError, DatabaseError)):
        call_command("loaddata", str(fixture), verbosity=0)
    complaint.refresh_from_db()
    assert not complaint.sealed and complaint.narrative.startswith("The officer pushed me")


def test_an_ordinary_save_still_leaves_history(complaint_with_everything):
    complaint = Complaint.objects.get(pk=complaint_with_everything.pk)
    with recorded(label="test", reason="district corrected"):
        complaint.district = "D9"
        complaint.save()
    assert complaint.history.first().district == "D9"
    assert verify()[0] == 0


@postgresql_only
def test_the_app_role_cannot_change_a_record_without_history(complaint_with_everything):
    complaint = complaint_with_everything
    become_app_role()
    for sql in [
        "UPDATE complaints_complaint SET narrative = 'I have nothing to report.' WHERE id = %s",
        "UPDATE complaints_complaint SET sealed = true WHERE id = %s",
        "INSERT INTO complaints_message (complaint_id, direction, body, language, sent_at) "
        "VALUES (%s, 'to_complainant', 'forged', 'en', now())",
    ]:
        assert "without a matching history row" in refusal(sql, [complaint.pk]), sql
    execute("RESET ROLE")
    complaint.refresh_from_db()
    assert complaint.narrative.startswith("The officer pushed me") and not complaint.sealed


@postgresql_only
def test_the_database_accepts_a_change_saved_with_its_history(complaint_with_everything):
    with recorded(label="test", reason="urgent"):
        complaint = Complaint.objects.get(pk=complaint_with_everything.pk)
        complaint.urgent = True
        complaint.save()
    execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks run now and pass
    execute("SET CONSTRAINTS ALL DEFERRED")


# --- 2. verify_history checks everything -----------------------------------------------------------------------


def test_verify_history_finds_a_record_changed_without_history(complaint_with_everything):
    drop_guards("complaints_complaint")  # SQLite has no such guard; PostgreSQL's owner can disable it
    execute("UPDATE complaints_complaint SET sealed = %s WHERE id = %s", [True, complaint_with_everything.pk])
    code, output = verify()
    assert code == 1
    assert f"record-changed-without-history: complaints_complaint id={complaint_with_everything.pk}" in output


def test_verify_history_finds_a_row_deleted_with_its_trigger_disabled(complaint_with_everything):
    message = Message.objects.get(complaint=complaint_with_everything)
    drop_guards("complaints_message")
    execute("DELETE FROM complaints_message WHERE id = %s", [message.pk])
    code, output = verify()
    assert code == 1
    assert f"record-missing: complaints_message id={message.pk}" in output
    assert "guard-missing: table complaints_message" in output


def test_verify_history_finds_a_dropped_table(complaint_with_everything):
    drop_guards("complaints_retaliationreport")
    execute('DROP TABLE "complaints_retaliationreport"')
    code, output = verify()
    assert code == 1
    assert "table-missing: table complaints_retaliationreport does not exist" in output


def test_verify_history_finds_a_recomputed_chain(complaint_with_everything):
    history = Complaint.history.model
    recompute_chain(history, {"narrative": "I have nothing to report."})
    code, output = verify()
    assert code == 1
    assert "head-signature-invalid: complaints_historicalcomplaint" in output


def test_verify_history_finds_a_forged_row_appended_with_a_correct_link(complaint_with_everything):
    history = Complaint.history.model
    if connection.vendor == "postgresql":
        become_app_role()  # needs only the documented INSERT on history and UPDATE on chain heads
    newest = history._base_manager.order_by("-chain_seq").first()
    forged = history._base_manager.get(pk=newest.pk)
    forged.history_id = None
    forged.history_actor, forged.history_change_reason = "demo-supervisor", "case reviewed"
    forged.chain_seq, forged.chain_prev = newest.chain_seq + 1, newest.chain_hash
    forged.chain_hash = row_digest(forged)
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    execute(
        f'INSERT INTO "{history._meta.db_table}" ({", ".join(f.column for f in fields)}) '
        f'VALUES ({", ".join(["%s"] * len(fields))})',
        [f.get_db_prep_save(getattr(forged, f.attname), connection) for f in fields],
    )
    execute('UPDATE complaints_chainhead SET seq = %s, hash = %s WHERE "table" = %s',
            [forged.chain_seq, forged.chain_hash, history._meta.db_table])
    code, output = verify()
    assert code == 1
    assert "head-signature-invalid: complaints_historicalcomplaint" in output


def test_verify_history_passes_on_intact_data_and_counts_live_rows(complaint_with_everything):
    code, output = verify()
    assert code == 0, output
    assert "live rows compared" in output


# --- 3. Anchors ------------------------------------------------------------------------------------------------


def test_anchors_catch_a_chain_rewritten_by_someone_holding_the_key(complaint_with_everything, anchors_in_tmp):
    out = io.StringIO()
    call_command("anchor_history", stdout=out)
    assert "Anchored chain head" in out.getvalue()
    assert verify("--anchors")[0] == 0
    table = Complaint.history.model._meta.db_table
    link = recompute_chain(Complaint.history.model, {"narrative": "I have nothing to report."})
    from complaints.anchors import sign_head

    head = ChainHead.objects.get(table=table)
    execute('UPDATE complaints_chainhead SET signature = %s WHERE "table" = %s',
            [sign_head(table, head.seq, link), table])
    # The key holder re-signed the head: the chain itself verifies again; only the anchor outside the database
    # (and, here, the live row that no longer matches its rewritten history) tells.
    output = verify()[1]
    assert "head-signature-invalid" not in output and "chain-broken" not in output
    code, output = verify("--anchors")
    assert code == 1
    assert "anchor-not-extended: anchor anchors-" in output and table in output


def test_an_edited_anchor_is_reported(complaint_with_everything, anchors_in_tmp):
    call_command("anchor_history", stdout=io.StringIO())
    anchor_file = next(anchors_in_tmp.glob("anchors-*.jsonl"))
    entry = json.loads(anchor_file.read_text())
    entry["reason"] = "edited"
    anchor_file.write_text(json.dumps(entry) + "\n")
    code, output = verify("--anchors")
    assert code == 1 and "anchor-invalid" in output


def test_anchors_are_appended_never_rewritten(complaint_with_everything, anchors_in_tmp):
    call_command("anchor_history", stdout=io.StringIO())
    call_command("anchor_history", "--reason", "second", stdout=io.StringIO())
    lines = next(anchors_in_tmp.glob("anchors-*.jsonl")).read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["reason"] == "second"


def test_verify_anchors_without_any_anchor_is_a_finding(complaint_with_everything):
    code, output = verify("--anchors")
    assert code == 1 and "no-anchors" in output


# --- Evidence files -----------------------------------------------------------------------------------------------


def test_verify_files_passes_and_finds_a_changed_file(complaint_with_everything, evidence_in_tmp, tmp_path):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    path = evidence_in_tmp / evidence.file.name
    path.write_bytes(b"1234")
    with recorded(label="test", reason="recorded hash of the test file"):
        evidence.sha256 = hashlib.sha256(b"1234").hexdigest()
        evidence.save()
    checkpoint = tmp_path / "files.json"
    code, output = verify("--files", "--checkpoint", str(checkpoint))
    assert code == 0, output
    # The evidence file and the poster made from it (a derived file, re-hashed too).
    assert "2 files re-hashed" in output and "files: 1/1 checked" in output
    with open(path, "r+b") as handle:
        handle.write(b"\x00" * 2)
    code, output = verify("--files", "--checkpoint", str(checkpoint))
    assert code == 3
    assert f"file-altered: evidence id={evidence.pk}" in output


def test_verify_files_finds_a_deleted_file(complaint_with_everything, evidence_in_tmp, tmp_path):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    (evidence_in_tmp / evidence.file.name).unlink()
    code, output = verify("--files", "--checkpoint", str(tmp_path / "c.json"))
    assert code == 3 and f"file-missing: evidence id={evidence.pk}" in output


def test_a_file_without_a_row_is_reported_and_kept(complaint_with_everything, evidence_in_tmp, tmp_path):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    with recorded(label="test", reason="recorded hash of the test file"):
        evidence.sha256 = hashlib.sha256(b"1234").hexdigest()
        evidence.save()
    stray = evidence_in_tmp / "2026" / "01" / "abc" / "left-behind.mp4"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"bytes of a crashed filing")
    code, output = verify("--files", "--checkpoint", str(tmp_path / "c.json"))
    assert code == 4
    assert "file-unreferenced: 2026/01/abc/left-behind.mp4" in output
    assert stray.exists()


def test_verify_files_resumes_from_its_checkpoint_and_samples(complaint_with_everything, evidence_in_tmp,
                                                             tmp_path):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    checkpoint = tmp_path / "c.json"
    checkpoint.write_text(json.dumps({"last_pk": evidence.pk, "findings": []}))
    code, output = verify("--files", "--resume", "--checkpoint", str(checkpoint))
    # Every evidence row was done before the stop: only the derived files (not yet checked) are left.
    assert "1 files re-hashed" in output and "files: 0/0 checked" in output
    code, output = verify("--files", "--resume", "--checkpoint", str(checkpoint))
    assert "0 files re-hashed" in output
    code, output = verify("--files", "--sample", "1", "--checkpoint", str(checkpoint))
    assert "1 files re-hashed" in output


def test_verify_history_reads_nested_json_and_dates_exactly_as_they_were_chained(complaint_with_everything):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    with recorded(label="test", reason="probed"):
        evidence.media_metadata = {"width": 1920, "codec": {"name": "h264", "bitrate": 5.5, "a": [3, {"z": 1, "b": 2}]},
                                   "título": "vidéo"}
        evidence.save()
    code, output = verify()
    assert code == 0, output


@postgresql_only
def test_verify_history_finds_a_row_deleted_in_replica_mode(complaint_with_everything):
    """A superuser can skip every trigger for a session; the missing row is still found."""
    message = Message.objects.get(complaint=complaint_with_everything)
    execute("SET CONSTRAINTS ALL IMMEDIATE")
    execute("SET LOCAL session_replication_role = replica")
    execute("DELETE FROM complaints_message WHERE id = %s", [message.pk])
    execute("SET LOCAL session_replication_role = origin")
    code, output = verify()
    assert code == 1
    assert f"record-missing: complaints_message id={message.pk}" in output


@postgresql_only
def test_the_whole_demo_workflow_passes_the_commit_time_history_check(settings):
    """Every service of the workflow saves records with their history: the deferred checks all pass."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_cases", stdout=io.StringIO())
    execute("SET CONSTRAINTS ALL IMMEDIATE")  # raises if any record changed without its history row
    execute("SET CONSTRAINTS ALL DEFERRED")
    assert verify()[0] == 0
