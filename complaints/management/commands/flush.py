from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refused: the database is never emptied. (Replaces Django's flush; the triggers refuse it too.)"

    def add_arguments(self, parser):
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        raise CommandError("Refused: complaints and their history are never deleted, so flush is disabled.")
