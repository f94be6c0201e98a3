import datetime

from django.core.management.base import BaseCommand, CommandError

from staffnotices.services import send_digests


class Command(BaseCommand):
    help = ("E-mail each staff member who chose the daily digest what is overdue in their work and how many "
            "notifications are unread; at most once per person per day, however often it runs.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day of the digest (YYYY-MM-DD); today by default.")

    def handle(self, *args, date=None, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        sent = send_digests(day)
        if options["verbosity"]:
            self.stdout.write(f"{sent} digest e-mail(s) sent.")
