"""Reference numbers from a PostgreSQL sequence per year, so filers no longer wait on one locked counter row.

`complaints_next_reference(year)` creates the year's sequence the first time it is asked (starting after the
highest number already given that year, from ReferenceCounter and from existing references) and returns its
next value. It runs as the migration's role (SECURITY DEFINER), so the app's role needs no CREATE privilege
(docs/postgres-roles.md). SQLite keeps ReferenceCounter: its one writer at a time serialises filers anyway.
"""

from django.db import migrations

CREATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION complaints_next_reference(for_year integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  sequence_name text := 'complaints_reference_' || for_year;
  last_given bigint;
BEGIN
  IF to_regclass(sequence_name) IS NULL THEN
    SELECT greatest(
      (SELECT coalesce(max(last_number), 0) FROM complaints_referencecounter WHERE year = for_year),
      (SELECT coalesce(max(split_part(reference, '-', 3)::bigint), 0) FROM complaints_complaint
        WHERE reference LIKE 'C-' || for_year || '-%')
    ) INTO last_given;
    BEGIN
      EXECUTE format('CREATE SEQUENCE %I START WITH %s', sequence_name, last_given + 1);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
      NULL;  -- another filer created it first (once a year): use theirs
    END;
  END IF;
  RETURN nextval(sequence_name);
END $$;
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION, params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS complaints_next_reference(integer)")


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0003_retaliation_report"),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function),
    ]
