"""History chains in lanes (complaints.history.claim_head): every history row says which chain of its table it
extends; rows written before are lane 0, so their hashes and signed heads stay valid."""

from django.db import migrations, models

import complaints.dbguards


class Migration(migrations.Migration):

    dependencies = [
        ('publicdata', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalrelease',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalreleasefile',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        complaints.dbguards.GuardAppTables(append_only=['release', 'releasefile']),
    ]
