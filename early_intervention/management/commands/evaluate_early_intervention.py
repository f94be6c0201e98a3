"""Evaluate every early-intervention rule in force (run on a schedule; safe to run any number of times)."""

from django.core.management.base import BaseCommand

from early_intervention.evaluation import evaluate


class Command(BaseCommand):
    help = "Evaluate every early-intervention rule in force and raise new alerts (never twice for the same events)."

    def handle(self, *args, **options):
        raised = evaluate()
        self.stdout.write(f"Raised {len(raised)} new alert(s).")
