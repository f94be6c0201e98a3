"""The demo logins' authenticator codes are for local use only."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.demo import DEMO_TOTP_KEY, enrol_demo_user

pytestmark = pytest.mark.django_db


def test_demo_totp_is_refused_unless_debug(settings, supervisor):
    enrol_demo_user(supervisor)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", supervisor.username)


def test_demo_totp_prints_the_code_the_sign_in_accepts(settings, supervisor, code_for):
    enrol_demo_user(supervisor)
    device = TOTPDevice.objects.get(user=supervisor)
    assert device.key == DEMO_TOTP_KEY and device.confirmed
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_totp", supervisor.username, stdout=out)
    assert out.getvalue().strip() == code_for(device)
