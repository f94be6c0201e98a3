import datetime
import io

import pytest
from django.utils import timezone

from complaints import roles
from complaints.history import recorded
from complaints.models import Category, Officer, Unit
from complaints.services import file_complaint
from early_intervention import services
from early_intervention.models import Rule


@pytest.fixture
def evaluate_at_once(settings):
    """Evaluation after a change runs in the action's own transaction, not in a background job after it commits.

    Without it a test sees no evaluation after a change (the job is sent on commit, and a test never commits).
    """
    settings.EI_EVALUATE_IN_BACKGROUND = False


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def force(db):
    """The officers of two units: five patrol officers in D1 and three tactical officers in TAC."""
    with recorded(label="test", reason="test roster"):
        d1 = Unit.objects.create(code="D1", name="1st District")
        tac = Unit.objects.create(code="TAC", name="Tactical")
        people = {"d1": d1, "tac": tac}
        for n in range(1, 6):
            people[f"p{n}"] = Officer.objects.create(first_name="Pat", last_name=f"Patrol{n}", employee_id=f"P{n}",
                                                     star_number=f"10{n}", unit=d1, assignment_type="patrol")
        for n in range(1, 4):
            people[f"t{n}"] = Officer.objects.create(first_name="Tam", last_name=f"Tactical{n}",
                                                     employee_id=f"T{n}", star_number=f"20{n}", unit=tac,
                                                     assignment_type="tactical")
    return people


@pytest.fixture
def complain():
    """File a complaint with one allegation against `officer`, received `days_ago` days ago."""

    def make(officer, days_ago=10, category="excessive-force", at=None):
        complaint, _code = file_complaint(
            narrative="He hit me.", filer_role="anonymous", language="en",
            received_at=at or timezone.now() - datetime.timedelta(days=days_ago),
            allegations=[{"officer": officer, "category": Category.objects.get(code=category)}],
            label="public filer",
        )
        return complaint

    return make


def csv_text(rows, header="source,source_id,event_type,occurred_at,officer_employee_id,final,description"):
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture
def import_events():
    """Import CSV rows (strings) through the service, as the management command does."""

    def run(rows, evaluate=False, **kwargs):
        return services.import_officer_events(io.StringIO(csv_text(rows, **kwargs)), name="events.csv",
                                              evaluate=evaluate)

    return run


def event_rows(officer, event_type, days_ago_list, source="rms", prefix=None):
    now = timezone.now()
    prefix = prefix or f"{officer.employee_id}-{event_type}"
    return [f"{source},{prefix}-{i},{event_type},{(now - datetime.timedelta(days=d)).isoformat()},"
            f"{officer.employee_id},yes,x" for i, d in enumerate(days_ago_list)]


@pytest.fixture
def make_rule(db):
    def make(code, **fields):
        code = f"test-{code}"  # never one of the seeded codes
        values = {"version": 1, "kind": "threshold", "name": code, "indicators": ["complaint_received"],
                  "window_days": 365, "effective_from": datetime.date(2000, 1, 1)}
        values.update(fields)
        with recorded(label="test", reason="test rule"):
            return Rule.objects.create(code=code, **values)

    return make


@pytest.fixture
def only_rules(db):
    """Retire every seeded rule, so a test sees only the rules it makes (a retiring version, never a delete)."""
    with recorded(label="test", reason="seeded rules retired for this test"):
        for rule in Rule.objects.filter(version=1):
            Rule.objects.create(code=rule.code, version=2, kind=rule.kind, name=rule.name, indicators=rule.indicators,
                                window_days=rule.window_days, retired=True,
                                effective_from=datetime.date(2000, 1, 2))


@pytest.fixture
def supervisor(staff):
    return staff[roles.SUPERVISOR]
