"""Demo complaints spread over earlier quarters, many walked through the workflow, and two published quarters,
so the public statistics pages have figures large enough to show (small counts are withheld).

For local use only: refused unless DEBUG is on. Run after seed_demo (scripts/run does). Idempotent.
"""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from complaints.history import recorded
from complaints.models import (
    Allegation,
    BiasCharacteristic,
    Category,
    Complaint,
    Disposition,
    FilerDemographics,
    Officer,
)
from complaints.services import allocate_reference
from investigations import services
from publicdata import releases
from publicdata.models import Release
from publicdata.tables import period_bounds

PERIODS = ("2026Q2", "2026Q3")
PER_PERIOD = 110
DISTRICTS = ["D1", "D2", "D3", "D4"]
WEIGHTS = {
    "channel": (["web", "phone", "walk_in", "mail"], [70, 15, 10, 5]),
    "filer_role": (["harmed", "third_party", "anonymous", "representative"], [55, 20, 20, 5]),
    "language": (["en", "es", "pl", "zh-hans", "ar", "vi"], [55, 20, 8, 7, 5, 5]),
    "category": (["excessive-force", "improper-stop-search", "discourtesy", "bias", "false-arrest"],
                 [30, 25, 25, 12, 8]),
    "disposition": (["sustained", "not-sustained", "exonerated", "unfounded"], [25, 35, 20, 20]),
}


def pick(rng, name):
    values, weights = WEIGHTS[name]
    return rng.choices(values, weights)[0]


class Command(BaseCommand):
    help = "Demo complaints over two earlier quarters and their published statistics. Refused unless DEBUG=1."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo_statistics is for local use only and is refused unless DEBUG=1.")
        users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
        try:
            intake, supervisor = users["demo-intake-coordinator"], users["demo-supervisor"]
            investigator, chief = users["demo-investigator"], users["demo-chief"]
        except KeyError as missing:
            raise CommandError(f"Run seed_demo first ({missing} is missing).") from None
        if Release.objects.filter(period__in=PERIODS).exists():
            self.stdout.write("Demo statistics already published; nothing to do.")
            return
        rng = random.Random(2026)
        own = Officer.objects.filter(user=investigator).first()
        officers = [o for o in Officer.objects.filter(employment_status="active", user__isnull=True)
                    if own is None or (o.unit_id != own.unit_id and own not in o.chain_of_command())][:10]
        if not officers:
            raise CommandError("No demo officer can be investigated by demo-investigator without a conflict.")
        categories = {c.code: c for c in Category.objects.all()}
        dispositions = {d.code: d for d in Disposition.objects.all()}
        with transaction.atomic():  # one commit: SQLite syncs once, not once per record
            walked = self._seed(rng, officers, categories, dispositions, intake, supervisor, investigator, chief)
        for period in PERIODS:
            releases.publish(period, label="system")
        self.stdout.write(f"Demo statistics: {PER_PERIOD * len(PERIODS)} complaints in {', '.join(PERIODS)}, "
                          f"{walked} closed; both quarters published.")

    def _seed(self, rng, officers, categories, dispositions, intake, supervisor, investigator, chief):
        characteristics = [value for value, _label in BiasCharacteristic.choices]
        walked = 0
        for period in PERIODS:
            _kind, start, end = period_bounds(period)
            days = (end - start).days
            for _i in range(PER_PERIOD):
                received = timezone.make_aware(datetime.datetime.combine(
                    start + datetime.timedelta(days=rng.randrange(days + 1)), datetime.time(rng.randrange(8, 20))))
                officer = rng.choice(officers)
                category = categories[pick(rng, "category")]
                with recorded(label="system", reason="demo statistics complaint"):
                    complaint = Complaint.objects.create(
                        reference=allocate_reference(received.year), channel=pick(rng, "channel"),
                        filer_role=pick(rng, "filer_role"), language=pick(rng, "language"),
                        preferred_language="en", received_at=received, district=rng.choice(DISTRICTS),
                        narrative="Demo complaint for the public statistics pages.",
                    )
                    Allegation.objects.create(
                        complaint=complaint, officer=officer, category=category,
                        bias_characteristic=rng.choice(characteristics[:4]) if category.code == "bias" else "")
                    if rng.random() < 0.6:
                        FilerDemographics.objects.create(
                            complaint=complaint,
                            age_band=rng.choice(["20_29", "30_39", "40_49", "prefer_not"]),
                            race_ethnicity=rng.choice(["black", "hispanic", "white", "prefer_not"]),
                            gender=rng.choice(["woman", "man", "prefer_not"]))
                case = services.investigation_for(complaint)
                if rng.random() < 0.55:
                    self._close(case, intake, supervisor, investigator, chief,
                                dispositions[pick(rng, "disposition")], rng)
                    walked += 1
        return walked

    @staticmethod
    def _close(case, intake, supervisor, investigator, chief, disposition, rng):
        services.triage_complaint(case, by=intake, reason="Allegations checked against the narrative.")
        services.assign_investigator(case, investigator, by=supervisor, attested=True, reason="Caseload balance.")
        services.start_investigation(case, by=investigator)
        for allegation in case.complaint.allegations.all():
            services.record_finding(case, allegation, disposition, by=investigator, reason="Demo finding.")
        services.begin_retaliation_check(case, by=investigator)
        answers = {p.pk: {"asked": True, "notes": "Nothing reported."} for p in services.identified_people(case)}
        services.record_retaliation_check(case, by=investigator, answers=answers)
        services.submit_for_review(case, by=investigator)
        services.approve_findings(case, by=supervisor, reasons="Demo review.")
        if disposition.is_sustained:
            officer = case.complaint.allegations.first().officer
            outcome, days = rng.choice([("written_reprimand", None), ("suspension", 3), ("suspension", 12),
                                        ("counseling", None)])
            services.record_final_discipline(case, officer, by=chief, outcome=outcome, suspension_days=days,
                                             effective_date=datetime.date.today(), reason="Demo decision.")
        else:
            services.close_investigation(case, by=supervisor, reason="Findings approved; nothing sustained.")
