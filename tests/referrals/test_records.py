"""The referral tables are records like every other: history-tracked, and guarded in the database."""

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
