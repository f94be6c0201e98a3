"""Nothing is ever purged: every layer refuses, on SQLite and on PostgreSQL, and row counts stay the same."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from complaints import roles
from complaints.dbguards import guarded_tables
from complaints.exceptions import PurgeRefused
from complaints.history import HistoryChain
from complaints.models import Complaint, Evidence
from complaints.records import Record

pytestmark = pytest.mark.django_db

def our_apps():
    """Every app of this project (from the app registry, so a new app's tables are covered without an edit)."""
    root = Path(settings.BASE_DIR).resolve()
    return {config.label for config in apps.get_app_configs() if Path(config.path).resolve().parent == root}


def our_models():
    labels = our_apps()
    return [
        m for m in apps.get_models()
        if m._meta.app_label in labels and m._meta.managed and not m._meta.proxy
    ]


def history_tables():
    return sorted(m._meta.db_table for m in our_models() if issubclass(m, HistoryChain))


def record_tables():
    return sorted(m._meta.db_table for m in our_models() if not issubclass(m, HistoryChain))


def row_counts():
    counts = {}
    with connection.cursor() as cursor:
        for table in history_tables() + record_tables():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def refused(sql):
    """Run raw SQL in a savepoint; True when the database refused it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as error:
        assert "refused" in str(error) or "append-only" in str(error), error
        return True
    return False


def test_every_domain_model_is_a_record_with_history():
    plain = [m for m in our_models() if not issubclass(m, HistoryChain | Record)]
    names = {m.__name__ for m in plain}
    # Only bookkeeping tables are not records: the chain heads, reference counters, the access log
    # (which is itself append-only) and the full-text index (a copy of texts kept in their records).
    assert names <= {"ChainHead", "ReferenceCounter", "EvidenceAccess", "SearchDocument"}, names
    for model in our_models():
        if issubclass(model, Record):
            assert hasattr(model, "history"), model


def test_every_table_has_database_guards():
    guards = guarded_tables()
    for table in record_tables():
        assert guards.get(table, {}).get("delete"), f"{table} has no DELETE guard"
    for table in history_tables() + ["complaints_evidenceaccess"]:
        assert guards.get(table, {}).get("update"), f"{table} has no UPDATE guard"
        assert guards.get(table, {}).get("delete"), f"{table} has no DELETE guard"
    if connection.vendor == "postgresql":
        for table in record_tables() + history_tables():
            assert guards[table]["truncate"], f"{table} has no TRUNCATE guard"


def test_model_delete_is_refused(complaint_with_everything):
    with pytest.raises(PurgeRefused):
        complaint_with_everything.delete()
    assert Complaint.objects.filter(pk=complaint_with_everything.pk).exists()


def test_queryset_delete_and_bulk_update_are_refused_for_every_record(complaint_with_everything):
    before = row_counts()
    for model in our_models():
        if issubclass(model, Record):
            with pytest.raises(PurgeRefused):
                model.objects.all().delete()
            with pytest.raises(PurgeRefused):
                model.objects.all().update(pk=0)
    assert row_counts() == before


def test_history_rows_cannot_be_deleted_or_changed_through_the_orm(complaint_with_everything):
    before = row_counts()
    history = Complaint.history.all()
    with pytest.raises(PurgeRefused):
        history.delete()
    with pytest.raises(PurgeRefused):
        history.update(history_change_reason="rewritten")
    row = history.first()
    with pytest.raises(PurgeRefused):
        row.delete()
    row.history_change_reason = "rewritten"
    with pytest.raises(PurgeRefused):
        row.save()
    assert row_counts() == before


def test_evidence_files_are_never_deleted(complaint_with_everything, evidence_in_tmp):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    with pytest.raises(PurgeRefused):
        evidence.file.delete()
    assert evidence.file.storage.exists(evidence.file.name)


def test_raw_sql_delete_is_refused_on_every_table(complaint_with_everything):
    before = row_counts()
    assert all(before[t] > 0 for t in history_tables() if "complaints_" in t), before
    for table in record_tables() + history_tables():
        if before[table] == 0:
            continue  # a row trigger needs a row; tables of later apps are covered by their own tests
        assert refused(f'DELETE FROM "{table}"'), f"DELETE on {table} was not refused"
    assert row_counts() == before


def test_raw_sql_update_is_refused_on_every_history_table(complaint_with_everything):
    before = row_counts()
    for table in history_tables():
        if before[table] == 0:
            continue
        assert refused(f"UPDATE \"{table}\" SET history_change_reason = 'rewritten'"), table
    assert refused("UPDATE complaints_evidenceaccess SET action = 'download'")
    assert row_counts() == before


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_is_refused_on_postgresql(complaint_with_everything):
    before = row_counts()
    with connection.cursor() as cursor:
        # Django's deferred foreign-key checks would otherwise stop TRUNCATE before our trigger does.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in record_tables() + history_tables():
        assert refused(f'TRUNCATE "{table}" CASCADE'), table
    assert row_counts() == before


def test_flush_command_refuses_and_removes_nothing(complaint_with_everything):
    before = row_counts()
    with pytest.raises(CommandError, match="never deleted"):
        call_command("flush", interactive=False)
    assert row_counts() == before


def test_djangos_own_flush_sql_is_refused_by_the_database(complaint_with_everything):
    """Even Django's real flush (the SQL it would run) is stopped by the triggers, and rolls back whole."""
    before = row_counts()
    from django.core.management.sql import sql_flush

    statements = sql_flush(no_style(), connection, reset_sequences=False, allow_cascade=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        connection.ops.execute_sql_flush(statements)
    assert row_counts() == before


def no_style():
    from django.core.management.color import no_style as _no_style

    return _no_style()


@pytest.mark.parametrize("command", ["clean_old_history", "clean_duplicate_history"])
def test_history_cleaning_commands_refuse(command, complaint_with_everything):
    before = row_counts()
    with pytest.raises(CommandError, match="never deleted"):
        call_command(command, "--auto")
    assert row_counts() == before


def test_admin_offers_no_delete_anywhere(client, staff, complaint_with_everything):
    administrator = staff[roles.ADMINISTRATOR]
    administrator.is_staff = True
    administrator.save()
    client.force_login(administrator)
    for model, model_admin in admin.site._registry.items():
        assert not model_admin.has_delete_permission(None), model
        info = model._meta.app_label, model._meta.model_name
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, model
        assert b"delete_selected" not in changelist.content
    officer = complaint_with_everything.allegations.first().officer
    response = client.post(reverse("admin:complaints_officer_delete", args=[officer.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert type(officer).objects.filter(pk=officer.pk).exists()


def test_admin_is_for_administrators_only(client, staff):
    for role, user in staff.items():
        user.is_staff = True
        user.save()
        client.force_login(user)
        response = client.get("/admin/")
        if role == roles.ADMINISTRATOR:
            assert response.status_code == 200, role
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], role
