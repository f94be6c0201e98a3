"""History chains in lanes (complaints.history.claim_head) for custody records, physical evidence and complaint
links, which were added beside the lanes."""

from django.db import migrations, models

import complaints.dbguards


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0012_merge'),
    ]

    operations = [
        migrations.AddField(
            model_name=name,
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        )
        for name in ('historicalcomplaintlink', 'historicalcustodyrecord', 'historicalphysicalevidence')
    ] + [
        complaints.dbguards.GuardAppTables(),
    ]
