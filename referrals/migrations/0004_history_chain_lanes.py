"""History chains in lanes (complaints.history.claim_head): every history row says which chain of its table it
extends; rows written before are lane 0, so their hashes and signed heads stay valid."""

from django.db import migrations, models

import complaints.dbguards


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0003_export_log_statistics'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalexportlog',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalreferral',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalrule',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalruleset',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        complaints.dbguards.GuardAppTables(append_only=["exportlog"]),
    ]
