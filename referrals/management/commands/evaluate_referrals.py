from django.core.management.base import BaseCommand

from referrals.services import evaluate_all


class Command(BaseCommand):
    help = "Evaluate every case with a final determination or a separation against the referral rules in force."

    def handle(self, *args, **options):
        touched = evaluate_all(event="a full re-evaluation (manage.py evaluate_referrals)")
        self.stdout.write(f"{len(touched)} referral(s) evaluated.")
