"""Every change is kept with who and why, and verify_history catches tampering with the chain."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from complaints.exceptions import MissingChangeReason
from complaints.history import PUBLIC_FILER, recorded
from complaints.models import Complaint, Officer, Unit
from complaints.records import bulk_create_with_history

pytestmark = pytest.mark.django_db


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_history", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, str(error) + err.getvalue()
    return 0, out.getvalue()


def without_guards(table):
    """Drop the purge guards of one table inside the test transaction (rolled back afterwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'DROP TRIGGER "purge_guard_del_{table}"')
            cursor.execute(f'DROP TRIGGER "purge_guard_upd_{table}"')
        else:
            # Django defers foreign-key checks to commit; PostgreSQL won't alter a table with pending checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_change_records_the_user_and_the_reason(complaint_with_everything, make_user):
    supervisor = make_user("supervisor")
    with recorded(by=supervisor, reason="district corrected after a call with the complainant"):
        complaint_with_everything.district = "D2"
        complaint_with_everything.save()
    newest = complaint_with_everything.history.first()
    assert newest.history_user == supervisor
    assert newest.history_actor == supervisor.username
    assert newest.history_change_reason == "district corrected after a call with the complainant"
    assert newest.prev_record.district == ""


def test_a_public_filing_is_attributed_to_the_public_filer(complaint_with_everything):
    created = complaint_with_everything.history.last()
    assert created.history_type == "+"
    assert created.history_user is None
    assert created.history_actor == PUBLIC_FILER
    assert created.history_change_reason == "complaint filed"


def test_a_change_without_a_reason_is_refused(roster):
    officer = roster["officer"]
    officer.rank = "Sergeant"
    with pytest.raises(MissingChangeReason):
        officer.save()
    assert Officer.history.filter(id=officer.pk).count() == 1


def test_verify_history_passes_and_counts_rows(complaint_with_everything):
    code, output = verify()
    assert code == 0, output
    rows = sum(
        model.history.count()
        for model in [Complaint, Officer]
    )
    assert "rows checked" in output
    checked = int(output.split("History intact: ")[1].split(" rows")[0])
    assert checked >= rows > 0


def test_verify_history_names_an_altered_row(complaint_with_everything):
    table = Complaint.history.model._meta.db_table
    row = Complaint.history.earliest("history_date")
    without_guards(table)
    execute(f'UPDATE "{table}" SET narrative = %s WHERE history_id = %s', ["I have nothing to report.", row.pk])
    code, output = verify()
    assert code == 1
    assert f"{table} history_id={row.pk}" in output
    assert "altered" in output


def test_verify_history_names_a_removed_row(complaint_with_everything, make_user):
    with recorded(by=make_user(), reason="second version"):
        complaint_with_everything.location = "Main St"
        complaint_with_everything.save()
    with recorded(by=make_user(), reason="third version"):
        complaint_with_everything.location = "Main St and 5th"
        complaint_with_everything.save()
    table = Complaint.history.model._meta.db_table
    rows = list(Complaint.history.order_by("chain_seq"))
    without_guards(table)
    execute(f'DELETE FROM "{table}" WHERE history_id = %s', [rows[1].pk])
    code, output = verify()
    assert code == 1
    assert f"{table} history_id={rows[2].pk}" in output
    assert "missing" in output


def test_verify_history_notices_the_newest_row_removed(complaint_with_everything, make_user):
    with recorded(by=make_user(), reason="second version"):
        complaint_with_everything.location = "Main St"
        complaint_with_everything.save()
    table = Complaint.history.model._meta.db_table
    newest = Complaint.history.order_by("-chain_seq").first()
    without_guards(table)
    execute(f'DELETE FROM "{table}" WHERE history_id = %s', [newest.pk])
    code, output = verify()
    assert code == 1
    assert table in output and "removed" in output


def test_verify_history_names_reordered_rows(complaint_with_everything, make_user):
    with recorded(by=make_user(), reason="second version"):
        complaint_with_everything.location = "Main St"
        complaint_with_everything.save()
    table = Complaint.history.model._meta.db_table
    first, second = list(Complaint.history.order_by("chain_seq"))[:2]
    without_guards(table)
    execute(f'UPDATE "{table}" SET chain_seq = %s WHERE history_id = %s', [second.chain_seq, first.pk])
    execute(f'UPDATE "{table}" SET chain_seq = %s WHERE history_id = %s', [first.chain_seq, second.pk])
    code, output = verify()
    assert code == 1
    assert f"{table} history_id={second.pk}" in output


def test_verify_history_notices_swapped_dates(complaint_with_everything, make_user):
    with recorded(by=make_user(), reason="second version"):
        complaint_with_everything.location = "Main St"
        complaint_with_everything.save()
    table = Complaint.history.model._meta.db_table
    first, second = list(Complaint.history.order_by("chain_seq"))[:2]
    without_guards(table)
    execute(f'UPDATE "{table}" SET history_date = %s WHERE history_id = %s', [second.history_date, first.pk])
    execute(f'UPDATE "{table}" SET history_date = %s WHERE history_id = %s', [first.history_date, second.pk])
    code, output = verify()
    assert code == 1
    assert f"history_id={first.pk}" in output


def test_records_created_in_bulk_are_chained_in_order_between_single_saves(roster):
    with recorded(label="test", reason="units created in bulk"):
        Unit.objects.create(code="A0", name="saved before")
        bulk_create_with_history(Unit, [Unit(code=f"B{n}", name=f"bulk {n}") for n in range(3)])
        Unit.objects.create(code="A1", name="saved after")
    rows = list(Unit.history.order_by("chain_seq"))
    assert [r.code for r in rows[-5:]] == ["A0", "B0", "B1", "B2", "A1"]
    assert [r.chain_seq for r in rows] == list(range(rows[0].chain_seq, rows[0].chain_seq + len(rows)))
    assert all(row.chain_prev == before.chain_hash for before, row in zip(rows, rows[1:], strict=False))
    assert {r.history_change_reason for r in rows[-4:-1]} == {"units created in bulk"}
    code, output = verify()
    assert code == 0, output


def test_records_created_in_bulk_need_a_reason_like_any_other(db):
    with pytest.raises(MissingChangeReason):
        bulk_create_with_history(Unit, [Unit(code="X1", name="no reason")])
    assert not Unit.objects.filter(code="X1").exists()
