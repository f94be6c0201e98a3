"""Demo early-intervention data: imported events that trip a patrol threshold but not the tactical one.

For local use only: refused unless DEBUG is on. Run after seed_demo (scripts/run does). Safe to run again
(events are keyed by source and source id; alerts are never raised twice for the same events).
"""

import datetime
import io

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaints.models import Officer
from early_intervention.services import import_officer_events

# (star number, event type, days ago, count): the same six uses of force in six months flag the patrol officer
# (threshold 5) and not the tactical officer (threshold 12).
DEMO_EVENTS = [
    ("3320", "use_of_force", 20, 6),
    ("5102", "use_of_force", 20, 6),
    ("6203", "vehicle_pursuit", 40, 2),
    ("2147", "arrestee_injury", 60, 2),
    ("2147", "commendation", 90, 1),
]


class Command(BaseCommand):
    help = "Load demo early-intervention events and evaluate the rules. Refused unless DEBUG=1."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo_early_intervention is for local use only and is refused unless DEBUG=1.")
        if not Officer.objects.filter(star_number="3320").exists():
            raise CommandError("Run seed_demo first (it creates the demo officers).")
        now = timezone.now()
        lines = ["source,source_id,event_type,occurred_at,officer_star,final,description"]
        for star, event_type, days_ago, count in DEMO_EVENTS:
            for n in range(count):
                when = now - datetime.timedelta(days=days_ago + 7 * n)
                lines.append(f"demo-rms,{star}-{event_type}-{n},{event_type},{when.date().isoformat()}T10:00:00,"
                             f"{star},yes,demo")
        created, corrected, unchanged = import_officer_events(io.StringIO("\n".join(lines) + "\n"),
                                                              name="demo events", label="seed_demo")
        self.stdout.write(f"Early intervention: {created} demo event(s) imported, {unchanged} already there.")
