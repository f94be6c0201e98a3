from django.core.management.base import BaseCommand

from complaints.uploads import sweep_stale_uploads


class Command(BaseCommand):
    help = (
        "Remove temporary upload files older than UPLOAD_TEMP_MAX_AGE seconds (uploads that never finished). "
        "Run from a scheduler; the app also sweeps at start-up. Stored evidence is never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, help="Seconds (default: UPLOAD_TEMP_MAX_AGE).")

    def handle(self, *args, **options):
        removed = sweep_stale_uploads(max_age=options["max_age"])
        self.stdout.write(f"{len(removed)} stale upload file(s) removed.")
