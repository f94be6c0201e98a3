"""Import stops, arrests and citations from the agency's CSV export into the encounter log."""

import csv
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from complaints.history import recorded
from complaints.models import Officer
from investigations.models import EncounterLog

REQUIRED = ("source_id", "kind", "occurred_at", "subject_name")


class Command(BaseCommand):
    help = (
        "Import encounters (stop/arrest/citation) from CSV with columns source_id, kind, occurred_at (ISO 8601), "
        "officer_star or officer_employee_id, subject_name, location. Rows already imported (same source_id) "
        "are skipped; a bad row stops the import and nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **options):
        try:
            handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        with handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"{path}: missing column(s) {', '.join(missing)}")
            officers = list(Officer.objects.all())
            officers_by_star = {o.star_number: o for o in officers if o.star_number}
            officers_by_id = {o.employee_id: o for o in officers}
            created = skipped = 0
            reason = f"encounter log imported from {path}"
            with transaction.atomic(), recorded(label="import_encounters", reason=reason):
                known = set(EncounterLog.objects.values_list("source_id", flat=True))
                for line, row in enumerate(reader, start=2):
                    source_id = (row.get("source_id") or "").strip()
                    if not source_id:
                        raise CommandError(f"{path}:{line}: source_id is empty")
                    if source_id in known:
                        skipped += 1
                        continue
                    kind = (row.get("kind") or "").strip().lower()
                    if kind not in EncounterLog.Kind.values:
                        raise CommandError(f"{path}:{line}: kind must be one of {', '.join(EncounterLog.Kind.values)}")
                    occurred_at = parse_datetime((row.get("occurred_at") or "").strip())
                    if occurred_at is None:
                        try:
                            occurred_at = datetime.datetime.fromisoformat((row.get("occurred_at") or "").strip())
                        except ValueError as error:
                            raise CommandError(f"{path}:{line}: occurred_at is not an ISO 8601 date/time") from error
                    if timezone.is_naive(occurred_at):
                        occurred_at = timezone.make_aware(occurred_at)
                    star = (row.get("officer_star") or "").strip()
                    officer = officers_by_star.get(star) or officers_by_id.get(
                        (row.get("officer_employee_id") or "").strip())
                    EncounterLog.objects.create(
                        source_id=source_id, kind=kind, occurred_at=occurred_at, officer=officer,
                        officer_star=star, subject_name=(row.get("subject_name") or "").strip(),
                        location=(row.get("location") or "").strip(),
                    )
                    known.add(source_id)
                    created += 1
        self.stdout.write(f"Imported {created} encounter(s); skipped {skipped} already imported.")
