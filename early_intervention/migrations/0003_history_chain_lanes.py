"""History chains in lanes (complaints.history.claim_head): every history row says which chain of its table it
extends; rows written before are lane 0, so their hashes and signed heads stay valid."""

from django.db import migrations, models

import complaints.dbguards


class Migration(migrations.Migration):

    dependencies = [
        ('early_intervention', '0002_roles_event_types_and_default_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalalert',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalalertdecision',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicaleventtype',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalfollowupreview',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalintervention',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalofficerevent',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalrule',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        complaints.dbguards.GuardAppTables(),
    ]
