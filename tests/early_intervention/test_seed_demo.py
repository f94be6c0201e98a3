"""Demo early-intervention data: a patrol officer trips the patrol threshold; the tactical officer with the same
events does not trip the tactical one."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from early_intervention.models import Alert, OfficerEvent

pytestmark = pytest.mark.django_db


def test_demo_events_are_refused_unless_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo_early_intervention")


def test_demo_events_trip_the_patrol_threshold_but_not_the_tactical_one(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo_early_intervention")
    flagged = set(Alert.objects.values_list("officer__star_number", "rule__code"))
    assert ("3320", "patrol-force") in flagged
    assert not any(star == "5102" for star, _rule in flagged)
    events, alerts = OfficerEvent.objects.count(), Alert.objects.count()
    call_command("seed_demo_early_intervention")  # twice is harmless
    assert (OfficerEvent.objects.count(), Alert.objects.count()) == (events, alerts)
    call_command("verify_history")
