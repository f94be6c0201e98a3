from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from complaints.chain import verify
from complaints.filecheck import FileCheck


class Command(BaseCommand):
    help = (
        "Check the record in one consistent snapshot: every table and guard trigger, every history chain and "
        "signed head, every live row against its newest history row; with --anchors every anchored head, with "
        "--files every evidence file. Exit 0 intact, 1 tampered, 3 evidence files missing or changed, "
        "4 only stored files without a row (docs/tamper-evidence.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument("--anchors", action="store_true", help="Check that today's chains extend every anchor.")
        parser.add_argument("--workers", type=int,
                            help="Processes reading the chains, all in one snapshot (PostgreSQL; default: one per "
                                 "core from 50,000 history rows, else 1).")
        parser.add_argument("--files", action="store_true", help="Re-hash every evidence file (may take long).")
        parser.add_argument("--sample", type=int, help="With --files: check this many files chosen at random.")
        parser.add_argument("--resume", action="store_true", help="With --files: continue from the checkpoint.")
        parser.add_argument("--checkpoint", default=str(settings.VAR_DIR / "verify_history_files.json"),
                            help="With --files: where progress is kept for --resume.")

    def handle(self, *args, **options):
        files = None
        if options["files"]:
            files = FileCheck(checkpoint=options["checkpoint"], resume=options["resume"], sample=options["sample"],
                              progress=self.stderr.write)
        report = verify(using=options["database"], anchors_too=options["anchors"], files=files,
                        workers=options["workers"])
        counts = (
            f"{report.rows_checked} rows checked in {report.tables_checked} tables, "
            f"{report.records_checked} live rows compared"
            + (f", {report.files_checked} files re-hashed" if files else "")
        )
        if report.findings:
            for finding in report.findings:
                self.stderr.write(f"FINDING {finding}")
            raise CommandError(
                f"History chain broken: {report.findings[0]} ({counts}; {len(report.findings)} findings).",
                returncode=report.exit_code,
            )
        self.stdout.write(f"History intact: {counts}. Chain head {report.head}")
