import datetime

import pytest
from django.utils import timezone

from complaints import roles
from complaints.models import Category
from complaints.services import file_complaint


@pytest.fixture(autouse=True)
def agency(settings):
    settings.AGENCY_NAME = "Springfield Police Department"
    settings.AGENCY_ORI = "IL0840200"
    return settings.AGENCY_NAME


@pytest.fixture
def liaison(team):
    return team[roles.POST_LIAISON]


@pytest.fixture
def file_case_against(roster):
    """File a complaint with allegations against several officers: [(officer key, category code), ...]."""

    def make(pairs, narrative="Two officers searched my car and one of them hit me."):
        complaint, _code = file_complaint(
            narrative=narrative, filer_role="harmed", language="en",
            incident_at=timezone.now() - datetime.timedelta(days=2),
            parties=[{"role": "harmed", "is_filer": True, "name": "Rosa Díaz", "phone": "555-0101"}],
            allegations=[{"officer": roster[key], "category": Category.objects.get(code=code)} for key, code in pairs],
            label="public filer",
        )
        return complaint.investigation

    return make
