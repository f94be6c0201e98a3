"""Publish a quarter or a year of public statistics as an immutable release: `manage.py publish_report 2026Q4`."""

from django.core.management.base import BaseCommand, CommandError

from publicdata import releases
from publicdata.exceptions import PublicDataError


class Command(BaseCommand):
    help = "Publish the public statistics of a quarter (2026Q4) or a year (2026) as an immutable release."

    def add_arguments(self, parser):
        parser.add_argument("period", help="e.g. 2026Q4 or 2026")
        parser.add_argument("--correction", default="", help="what changed and why (to publish a period again)")
        parser.add_argument("--threshold", type=int, default=None,
                            help="withhold counts below this (default: PUBLIC_DATA_THRESHOLD, 11)")

    def handle(self, period, correction, threshold, **options):
        try:
            release = releases.publish(period, label="system", change_note=correction, threshold=threshold)
        except (ValueError, PublicDataError) as error:
            raise CommandError(str(error)) from error
        files = release.files.all()
        self.stdout.write(f"Published {release.period} (release {release.pk}), chain head {release.chain_head}")
        for file in files:
            self.stdout.write(f"  {file.sha256}  {file.name}")
