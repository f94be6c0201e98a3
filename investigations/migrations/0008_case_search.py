"""Full-text search of case texts (issue 12 item 3): the index table, its vendor side, what is already written.

PostgreSQL: `document`, a tsvector generated from `body` with the configuration named in `config`, under a GIN
index. SQLite: the FTS5 table investigations_search_fts over `body`, filled by triggers. Existing accounts,
translations, notes and interview summaries are indexed here; the mapping of languages is written out as literals
(a migration never imports live code).
"""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings

import complaints.dbguards
from django.db import migrations, models

PG_CONFIGS = ("arabic", "english", "french", "german", "hindi", "italian", "portuguese", "russian", "spanish")
CONFIGS = {"en": "english", "es": "spanish", "ru": "russian", "ar": "arabic", "hi": "hindi", "fr": "french",
           "pt": "portuguese", "it": "italian", "de": "german"}

PG_SQL = [
    "ALTER TABLE investigations_searchdocument ADD COLUMN document tsvector GENERATED ALWAYS AS (to_tsvector("
    "CASE config " + " ".join(f"WHEN '{c}' THEN '{c}'::regconfig" for c in PG_CONFIGS)
    + " ELSE 'simple'::regconfig END, body)) STORED",
    "CREATE INDEX search_document_words ON investigations_searchdocument USING gin (document)",
]

SQLITE_SQL = [
    "CREATE VIRTUAL TABLE investigations_search_fts USING fts5(body, content='investigations_searchdocument', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER investigations_search_fts_insert AFTER INSERT ON investigations_searchdocument BEGIN "
    "INSERT INTO investigations_search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER investigations_search_fts_update AFTER UPDATE OF body ON investigations_searchdocument BEGIN "
    "INSERT INTO investigations_search_fts(investigations_search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO investigations_search_fts(rowid, body) VALUES (new.id, new.body); END",
]


def searchable_form(apps, schema_editor):
    statements = {"postgresql": PG_SQL, "sqlite": SQLITE_SQL}.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(f"No full-text search for database vendor {schema_editor.connection.vendor!r}.")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def config_for(language):
    base = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return CONFIGS.get(base, "simple")


def index_what_is_written(apps, schema_editor):
    Investigation = apps.get_model("investigations", "Investigation")
    SearchDocument = apps.get_model("investigations", "SearchDocument")
    ComplaintTranslation = apps.get_model("complaints", "ComplaintTranslation")
    Note = apps.get_model("investigations", "Note")
    Interview = apps.get_model("investigations", "Interview")
    rows = []
    for case_id, complaint_id, language, narrative in Investigation.objects.values_list(
            "pk", "complaint_id", "complaint__language", "complaint__narrative").iterator():
        rows.append(("account", complaint_id, case_id, language, narrative))
    for pk, case_id, language, text in ComplaintTranslation.objects.filter(
            complaint__investigation__isnull=False).values_list(
            "pk", "complaint__investigation", "language", "text").iterator():
        rows.append(("translation", pk, case_id, language, text))
    for pk, case_id, body in Note.objects.values_list("pk", "investigation_id", "body").iterator():
        rows.append(("note", pk, case_id, "en", body))
    for pk, case_id, summary in Interview.objects.values_list("pk", "investigation_id", "summary").iterator():
        rows.append(("interview", pk, case_id, "en", summary))
    SearchDocument.objects.bulk_create(
        [SearchDocument(kind=kind, source_id=source, investigation_id=case_id, language=language or "",
                        config=config_for(language), body=body.strip())
         for kind, source, case_id, language, body in rows if (body or "").strip()],
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('investigations', '0007_append_only_exports_and_refusals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalSavedSearch',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_actor', models.CharField(blank=True, default='', max_length=150)),
                ('chain_seq', models.BigIntegerField(db_index=True, editable=False, null=True)),
                ('chain_prev', models.CharField(blank=True, default='', editable=False, max_length=64)),
                ('chain_hash', models.CharField(blank=True, default='', editable=False, max_length=64)),
                ('history_change_reason', models.TextField(blank=True, default='')),
                ('name', models.CharField(max_length=100)),
                ('query', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('hidden_at', models.DateTimeField(blank=True, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical saved search',
                'verbose_name_plural': 'historical saved searchs',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='SavedSearch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('query', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('hidden_at', models.DateTimeField(blank=True, null=True)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name', 'pk'],
                'indexes': [models.Index(fields=['owner', 'hidden_at'], name='saved_search_owner')],
            },
        ),
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('account', "the complainant's account"), ('translation', 'staff translation'), ('note', 'case note'), ('interview', 'interview summary')], max_length=20)),
                ('source_id', models.PositiveBigIntegerField()),
                ('language', models.CharField(blank=True, max_length=10)),
                ('config', models.CharField(default='simple', max_length=20)),
                ('body', models.TextField()),
                ('indexed_at', models.DateTimeField(auto_now=True)),
                ('investigation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='investigations.investigation')),
            ],
            options={
                'indexes': [models.Index(fields=['investigation'], name='search_document_case')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'source_id'), name='search_document_source')],
            },
        ),
        migrations.RunPython(searchable_form, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(index_what_is_written, migrations.RunPython.noop),
        complaints.dbguards.GuardAppTables(append_only=["casefileexport", "refusedassignment"]),
    ]
