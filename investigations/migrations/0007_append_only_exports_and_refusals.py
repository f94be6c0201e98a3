"""Case-file exports and refused assignments are append-only logs: on PostgreSQL a later migration's guard
operation (without them in `append_only`) had replaced their UPDATE-refusing trigger with a DELETE-only one."""

from django.db import migrations

import complaints.dbguards


class Migration(migrations.Migration):
    dependencies = [
        ("investigations", "0006_merge_20261125_1922"),
    ]

    operations = [
        complaints.dbguards.GuardAppTables(append_only=["casefileexport", "refusedassignment"]),
    ]
