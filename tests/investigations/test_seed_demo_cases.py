"""Demo cases for local use: some of seed_demo's complaints moved through the workflow, only with DEBUG on."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from investigations.models import Investigation, State
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_cases_are_refused_unless_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo_cases")


def test_demo_cases_fill_every_stage_of_the_workflow(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo_cases")
    states = sorted(Investigation.objects.values_list("state", flat=True))
    assert {State.CLOSED, State.SUPERVISOR_REVIEW, State.INVESTIGATING, State.REFERRED, State.TRIAGED,
            State.RECEIVED} <= set(states)
    assert Referral.objects.count() == 1  # the 12-day suspension meets Illinois (a)(1)
    call_command("seed_demo_cases")  # twice is harmless
    assert sorted(Investigation.objects.values_list("state", flat=True)) == states
    call_command("verify_history")
