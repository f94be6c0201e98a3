"""History chains in lanes (complaints.history.claim_head): a chain head per (table, lane), and every history row
says which chain of its table it extends; rows written before are lane 0, so their hashes and signed heads stay
valid."""

from django.db import migrations, models

import complaints.dbguards


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0010_merge_20261125_1955'),
    ]

    operations = [
        migrations.AddField(
            model_name='chainhead',
            name='lane',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='historicalallegation',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalcategory',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalcomplaint',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalcomplainttranslation',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalderivedfile',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicaldisposition',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalevidence',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalevidenceprocessing',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalfilerdemographics',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalmessage',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalofficer',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalparty',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalretaliationreport',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalrolechange',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='historicalunit',
            name='chain_lane',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AlterField(
            model_name='chainhead',
            name='table',
            field=models.CharField(max_length=100),
        ),
        migrations.AddConstraint(
            model_name='chainhead',
            constraint=models.UniqueConstraint(fields=('table', 'lane'), name='complaints_chainhead_table_lane'),
        ),
        complaints.dbguards.GuardAppTables(append_only=['evidenceaccess']),
    ]
