"""History chains in lanes (complaints.history.claim_head): every history row says which chain of its table it
extends; rows written before are lane 0, so their hashes and signed heads stay valid."""

from django.db import migrations, models

import complaints.dbguards


class Migration(migrations.Migration):

    dependencies = [
        ('staffnotices', '0001_initial'),
        ('complaints', '0011_history_chain_lanes'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaldigestsent',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalstaffnotification',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalstaffpreference',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        complaints.dbguards.GuardAppTables(),
    ]
