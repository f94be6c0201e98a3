from django.core.management.base import BaseCommand

from complaints.anchors import anchor_heads, anchor_path


class Command(BaseCommand):
    help = (
        "Append every history table's signed chain head to this year's anchor file in HISTORY_ANCHOR_DIR "
        "(outside the database). Run on a schedule; verify_history --anchors checks the chains still extend them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument("--reason", default="scheduled anchor")

    def handle(self, *args, **options):
        entry = anchor_heads(reason=options["reason"], using=options["database"])
        self.stdout.write(f"Anchored chain head {entry['head']} ({len(entry['heads'])} tables) in {anchor_path()}")
