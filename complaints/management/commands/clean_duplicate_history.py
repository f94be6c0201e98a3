from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refused: history is never cleaned. (Replaces django-simple-history's command of the same name.)"

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--auto", action="store_true")
        parser.add_argument("-m", "--minutes", type=int)
        parser.add_argument("--excluded_fields", nargs="*")
        parser.add_argument("--base-manager", action="store_true")

    def handle(self, *args, **options):
        raise CommandError("Refused: history rows are never deleted, even when they repeat.")
