"""History chains in lanes (complaints.history.claim_head): every history row says which chain of its table it
extends; rows written before are lane 0, so their hashes and signed heads stay valid."""

from django.db import migrations, models

import complaints.dbguards


class Migration(migrations.Migration):

    dependencies = [
        ('investigations', '0007_append_only_exports_and_refusals'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalassignment',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalcasefileexport',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicaldeadlinepolicy',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicaldisciplinedecision',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalencounterlog',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalfinding',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalinterview',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalinvestigation',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalnote',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalofficerseparation',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalrefusedassignment',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalretaliationcheck',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalretaliationcheckentry',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalreview',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicaltask',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalwitnessofficer',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        complaints.dbguards.GuardAppTables(append_only=["casefileexport", "refusedassignment"]),
    ]
