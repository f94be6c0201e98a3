"""The referral tables are records like every other: history-tracked, and guarded in the database."""

import io

import pytest
from django.apps import apps
from django.db import connection

from complaints.dbguards import guarded_tables
from complaints.history import HistoryChain
from complaints.records import Record

pytestmark = pytest.mark.django_db


def test_every_referral_model_is_a_record_and_every_table_is_guarded():
    models = list(apps.get_app_config("referrals").get_models())
    guards = guarded_tables()
    assert {m.__name__ for m in models} >= {"RuleSet", "Rule", "Referral", "ExportLog", "HistoricalReferral"}
    for model in models:
        assert issubclass(model, Record | HistoryChain), model
        table = model._meta.db_table
        assert guards.get(table, {}).get("delete"), f"{table} has no DELETE guard"
        append_only = issubclass(model, HistoryChain) or model.__name__ == "ExportLog"
        assert guards[table]["update"] == append_only, table
        if connection.vendor == "postgresql":
            assert guards[table]["truncate"], table


def test_history_chain_stays_intact_through_seeding_evaluation_sending_and_export(
        client, liaison, file_case, team, certified):
    from django.core.management import call_command
    from django.utils import timezone

    from complaints.chain import verify_all
    from referrals.models import Referral
    from tests.factories import decide

    case = file_case(categories=("bias",))
    decide(case, team, certified, outcome="counseling")
    referral = Referral.objects.get()
    client.force_login(liaison)
    assert client.get(f"/staff/referrals/{referral.pk}/export.json").status_code == 200
    assert client.post(f"/staff/referrals/{referral.pk}/sent/", {
        "sent_on": timezone.localdate().isoformat(), "method": "email"}).status_code == 302
    out = io.StringIO()
    call_command("evaluate_referrals", stdout=out)
    assert "1 referral(s) evaluated" in out.getvalue()

    report = verify_all()

    assert report.breaks == []
    referral.refresh_from_db()
    assert referral.history.count() == 2  # created by the evaluation, then sent; re-evaluation changed nothing
