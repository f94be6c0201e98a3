"""The encounter log import: rows linked to the roster, re-imports skipped, a bad file imports nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from investigations.models import EncounterLog

pytestmark = pytest.mark.django_db

GOOD = """source_id,kind,occurred_at,officer_star,subject_name,location
S-100,stop,2026-11-20T22:15:00,2147,Rosa Díaz,Main St & 3rd
A-200,arrest,2026-11-21 01:00,9999,Sam Lee,
"""


def test_import_links_officers_and_skips_rows_already_imported(tmp_path, roster, capsys):
    path = tmp_path / "encounters.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_encounters", str(path))
    call_command("import_encounters", str(path))
    assert "skipped 2" in capsys.readouterr().out
    stop = EncounterLog.objects.get(source_id="S-100")
    assert stop.officer == roster["officer"] and stop.subject_name_key == "rosa díaz"
    assert EncounterLog.objects.get(source_id="A-200").officer is None
    assert stop.history.get().history_change_reason.startswith("encounter log imported")


def test_a_bad_row_imports_nothing(tmp_path, roster):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "X-1,parade,2026-11-21,2147,Someone,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.csv:4: kind"):
        call_command("import_encounters", str(path))
    assert not EncounterLog.objects.exists()
