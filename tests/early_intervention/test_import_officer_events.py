"""Importing officer events from CSV: keyed by source and source id, corrections as new rows, all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from early_intervention.exceptions import ImportRefused
from early_intervention.models import Alert, OfficerEvent

from .conftest import csv_text


def test_a_reimport_never_duplicates(force, import_events):
    rows = ["rms,1,use_of_force,2026-01-05T10:00:00,P1,yes,hands-on", "cad,1,vehicle_pursuit,2026-01-06,P2,,"]
    assert import_events(rows) == (2, 0, 0)
    assert import_events(rows) == (0, 0, 2)
    assert OfficerEvent.objects.count() == 2


def test_a_correction_is_a_new_revision_that_supersedes_the_old_row(force, import_events):
    import_events(["rms,1,use_of_force,2026-01-05T10:00:00,P1,no,draft report"])
    assert import_events(["rms,1,use_of_force,2026-01-05T10:00:00,P1,yes,final report"]) == (0, 1, 0)
    old, new = OfficerEvent.objects.order_by("revision")
    assert (old.revision, new.revision, new.supersedes) == (1, 2, old)
    assert old.description == "draft report", "the corrected row is kept as it was"
    assert list(OfficerEvent.objects.current()) == [new]
    assert import_events(["rms,1,use_of_force,2026-01-05T10:00:00,P1,yes,final report"]) == (0, 0, 1)


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(force, import_events):
    rows = ["rms,1,use_of_force,2026-01-05T10:00:00,P1,yes,",
            "rms,2,tasering,2026-01-05T10:00:00,P1,yes,",
            "rms,3,use_of_force,last tuesday,P1,yes,",
            "rms,4,use_of_force,2026-01-05,NOBODY,yes,",
            ",5,use_of_force,2026-01-05,P1,yes,",
            "rms,1,use_of_force,2026-01-06,P1,yes,"]
    with pytest.raises(ImportRefused) as refused:
        import_events(rows)
    lines = [problem.split(":")[1] for problem in refused.value.problems]
    assert lines == ["3", "4", "5", "6", "7"]
    assert OfficerEvent.objects.count() == 0


def test_a_file_without_the_required_columns_is_refused(force, import_events):
    with pytest.raises(ImportRefused, match="event_type"):
        import_events(["rms,1,2026-01-05,P1"], header="source,source_id,occurred_at,officer_employee_id")


def test_the_command_imports_evaluates_and_reports(force, tmp_path, only_rules, make_rule):
    make_rule("force", indicators=["event:use_of_force"], threshold_count=2, window_days=3650)
    path = tmp_path / "events.csv"
    path.write_text(csv_text(["rms,1,use_of_force,2026-01-05T10:00:00,P1,yes,",
                              "rms,2,use_of_force,2026-02-05T10:00:00,P1,yes,"]))
    call_command("import_officer_events", str(path))
    assert Alert.objects.filter(officer=force["p1"], rule__code="test-force").count() == 1
    call_command("import_officer_events", str(path))
    call_command("evaluate_early_intervention")
    assert Alert.objects.filter(officer=force["p1"]).count() == 1


def test_the_command_names_the_bad_line(force, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(csv_text(["rms,1,use_of_force,yesterday,P1,yes,"]))
    with pytest.raises(CommandError, match=r"events.csv:2: occurred_at"):
        call_command("import_officer_events", str(path))
    assert OfficerEvent.objects.count() == 0
