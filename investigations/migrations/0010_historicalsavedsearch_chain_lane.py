"""History chains in lanes (complaints.history.claim_head) for saved searches, which were added beside the lanes."""

from django.db import migrations, models

import complaints.dbguards


class Migration(migrations.Migration):

    dependencies = [
        ('investigations', '0009_merge'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalsavedsearch',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        complaints.dbguards.GuardAppTables(),
    ]
