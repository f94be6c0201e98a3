"""Demo logins (one per role) and a realistic demo data set, for local use only."""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from complaints.history import recorded
from complaints.models import Category, Complaint, Officer, Unit
from complaints.roles import ADMINISTRATOR, ALL_ROLES
from complaints.services import file_complaint
from signin.demo import DEMO_TOTP_SECRET, enrol_demo_user

DEMO_PASSWORD = "demo-password-local-only"

UNITS = [
    ("IA", "Internal Affairs Division", None),
    ("D1", "1st District (Central)", None),
    ("D2", "2nd District (Riverside)", None),
    ("D3", "3rd District (Northwest)", None),
    ("TAC", "Tactical Response Unit", None),
    ("TRF", "Traffic Enforcement", None),
]

# (unit, first, last, star, rank, assignment, supervisor's employee id)
OFFICERS = [
    ("IA", "Grace", "Okafor", "100", "Lieutenant", "supervision", None),
    ("IA", "Daniel", "Reyes", "101", "Sergeant", "investigations", "E100"),
    ("IA", "Mei", "Lin", "102", "Sergeant", "investigations", "E100"),
    ("D1", "Robert", "Hale", "200", "Commander", "supervision", None),
    ("D1", "Anthony", "Russo", "201", "Sergeant", "supervision", "E200"),
    ("D1", "Kevin", "Walsh", "2147", "Officer", "patrol", "E201"),
    ("D1", "Maria", "Santos", "2290", "Officer", "patrol", "E201"),
    ("D2", "Linda", "Park", "300", "Commander", "supervision", None),
    ("D2", "James", "Novak", "301", "Sergeant", "supervision", "E300"),
    ("D2", "Tyrone", "Banks", "3318", "Officer", "patrol", "E301"),
    ("D2", "Ewa", "Kowalski", "3320", "Officer", "patrol", "E301"),
    ("D3", "Samuel", "Ortiz", "400", "Commander", "supervision", None),
    ("D3", "Brian", "Keller", "4412", "Officer", "patrol", "E400"),
    ("TAC", "Victor", "Drummond", "500", "Lieutenant", "supervision", None),
    ("TAC", "Cole", "Hendricks", "5101", "Officer", "tactical", "E500"),
    ("TAC", "Ray", "Mercer", "5102", "Officer", "tactical", "E500"),
    ("TRF", "Nina", "Petrova", "6203", "Officer", "traffic", "E200"),
]

# (language, filer role, district, narrative, [(officer star or None, category code, description)])
COMPLAINTS = [
    ("en", "harmed", "D1",
     "I was stopped walking home from work on Main St. The officer pushed me against the car and "
     "searched my bag without asking. When I asked why, he said 'because I can'.",
     [("2147", "improper-stop-search", ""), ("2147", "discourtesy", "")]),
    ("es", "third_party", "D2",
     "Vi cómo dos policías tiraron al suelo a mi vecino frente a la tienda de la esquina. "
     "Él no se resistía. Grabé un video con mi teléfono.",
     [("3318", "excessive-force", ""), (None, "failure-to-intervene",
                                        "Segundo agente, alto, con barba, patrulla 2-14")]),
    ("ar", "anonymous", "D3",
     "أوقفني شرطي وسألني عن ديني قبل أن يطلب أوراقي. شعرت أنني عوملت بشكل مختلف بسبب حجابي.",
     [("4412", "bias", "")]),
    ("zh-hans", "harmed", "D1",
     "我去报案时，警察说没有翻译，让我明天再来。我的英语不好，没有人帮我。",
     [(None, "failure-to-serve", "前台的女警官，短发，戴眼镜")]),
    ("pl", "representative", "TAC",
     "Reprezentuję pana K., którego zatrzymano bez podstawy podczas akcji jednostki taktycznej. "
     "Kamera nasobna funkcjonariusza była wyłączona.",
     [("5101", "false-arrest", ""), ("5101", "body-camera", "")]),
    ("vi", "harmed", "D2",
     "Sau khi tôi nộp đơn khiếu nại, cảnh sát đến nhà tôi ba lần và đe dọa tôi.",
     [("3320", "retaliation", "")]),
    ("ru", "anonymous", "TRF",
     "Инспектор остановил меня и потребовал деньги, чтобы не выписывать штраф.",
     [("6203", "dishonesty", "")]),
    ("ko", "third_party", "D1",
     "경찰관이 제 친구에게 욕설을 하고 휴대폰을 빼앗았습니다.",
     [("2290", "discourtesy", ""), ("2290", "improper-stop-search", "")]),
]


class Command(BaseCommand):
    help = "Create one demo login per role and a demo data set. Refused unless DEBUG is on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo is for local use only and is refused unless DEBUG=1.")
        with transaction.atomic(), recorded(label="seed_demo", reason="demo data for local use"):
            users = self._users()
            if Complaint.objects.filter(channel=Complaint.Channel.WEB, district="D1").exists():
                self.stdout.write("Demo data already present; logins refreshed.")
            else:
                self._roster()
                self._complaints()
        self.stdout.write("Demo logins (local use only) at http://127.0.0.1:8000/staff/ :")
        for role, username in users:
            self.stdout.write(f"  {role:<20} user {username:<22} password {DEMO_PASSWORD}")
        self.stdout.write(
            "Then the second step asks for an authenticator code: print the current one with\n"
            "  DEBUG=1 .venv/bin/python manage.py demo_totp demo-supervisor\n"
            f"or add the demo key {DEMO_TOTP_SECRET} (time-based, 6 digits) to an authenticator app."
        )

    def _users(self):
        User = get_user_model()
        created = []
        for role in ALL_ROLES:
            username = "demo-" + role.lower().replace(" ", "-")
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == ADMINISTRATOR
            user.save()
            user.groups.add(Group.objects.get(name=role))
            enrol_demo_user(user)
            created.append((role, username))
        return created

    def _roster(self):
        units = {code: Unit.objects.create(code=code, name=name) for code, name, _ in UNITS}
        by_employee_id = {}
        for unit, first, last, star, rank, assignment, supervisor in OFFICERS:
            officer = Officer.objects.create(
                first_name=first, last_name=last, star_number=star, employee_id=f"E{star}", rank=rank,
                unit=units[unit], assignment_type=assignment,
                supervisor=by_employee_id.get(supervisor),
                post_certification_number=f"IL-{int(star) * 7919 % 1000000:06d}",
            )
            by_employee_id[officer.employee_id] = officer
        User = get_user_model()
        for username, employee_id in [("demo-investigator", "E101"), ("demo-supervisor", "E100")]:
            officer = Officer.objects.get(employee_id=employee_id)
            officer.user = User.objects.get(username=username)
            officer.save()

    def _complaints(self):
        rng = random.Random(2026)
        now = timezone.now()
        for days_ago, (language, role, district, narrative, allegations) in zip(
            [2, 5, 9, 14, 21, 30, 45, 60], COMPLAINTS, strict=True
        ):
            parties = []
            if role != "anonymous":
                parties.append({
                    "role": "harmed" if role == "harmed" else (
                        "representative" if role == "representative" else "complainant"),
                    "is_filer": True,
                    "name": rng.choice(["Alex Rivera", "Jordan Lee", "Sam Haddad", "Chris Nowak"]),
                    "phone": f"312-555-{rng.randint(1000, 9999)}",
                    "preferred_language": language,
                })
            rows = []
            for star, category, description in allegations:
                rows.append({
                    "officer": Officer.objects.get(star_number=star) if star else None,
                    "category": Category.objects.get(code=category),
                    "officer_description": description,
                })
            file_complaint(
                narrative=narrative, filer_role=role, language=language, preferred_language=language,
                district=district, location=f"{district} district",
                incident_at=now - datetime.timedelta(days=days_ago + 1, hours=rng.randint(0, 12)),
                received_at=now - datetime.timedelta(days=days_ago),
                parties=parties, allegations=rows, reason="demo complaint",
            )
