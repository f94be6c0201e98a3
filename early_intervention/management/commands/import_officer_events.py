"""Import officer events (use of force, pursuits, collisions, lawsuits, injuries, sick time...) from CSV."""

from django.core.management.base import BaseCommand, CommandError

from early_intervention.exceptions import ImportRefused
from early_intervention.services import import_officer_events


class Command(BaseCommand):
    help = (
        "Import officer events from CSV with columns source, source_id, event_type (code), occurred_at (ISO 8601), "
        "officer_employee_id or officer_star, final (yes/no), description. A row already imported unchanged is "
        "skipped; a changed row is a correction (a new revision, the old one kept). Any bad row stops the import "
        "and nothing is saved. Every early-intervention rule is evaluated afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **options):
        try:
            handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        with handle:
            try:
                created, corrected, unchanged = import_officer_events(handle, name=path)
            except ImportRefused as error:
                raise CommandError("Nothing was imported:\n" + "\n".join(error.problems)) from error
        self.stdout.write(f"Imported {created} new event(s), {corrected} correction(s); "
                          f"{unchanged} already imported unchanged.")
