"""Wrong passwords lock a user name out, but only from the address they came from, and only for a while."""

import datetime

import pytest
from axes.models import AccessAttempt

pytestmark = pytest.mark.django_db

STRANGER = {"REMOTE_ADDR": "203.0.113.9"}
AT_THE_DESK = {"REMOTE_ADDR": "198.51.100.20"}


def _fail(sign_in, username, times, **extra):
    return [sign_in(username, password="not-the-password", **extra).status_code for _ in range(times)]


def test_repeated_wrong_passwords_lock_out_even_the_right_one(sign_in_with_password, enrolled_supervisor, settings):
    supervisor, _device = enrolled_supervisor
    statuses = _fail(sign_in_with_password, supervisor.username, settings.AXES_FAILURE_LIMIT, **STRANGER)
    assert statuses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again, with its message
    assert statuses[-1] == 429
    response = sign_in_with_password(supervisor.username, **STRANGER)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "wait 15 min," in response.content.decode()


def test_a_stranger_cannot_lock_out_the_user_at_their_desk(sign_in_with_password, enrolled_supervisor, settings):
    supervisor, _device = enrolled_supervisor
    _fail(sign_in_with_password, supervisor.username, settings.AXES_FAILURE_LIMIT + 3, **STRANGER)
    response = sign_in_with_password(supervisor.username, **AT_THE_DESK)
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_the_lockout_lifts_after_the_cool_off(sign_in_with_password, enrolled_supervisor, settings):
    supervisor, _device = enrolled_supervisor
    _fail(sign_in_with_password, supervisor.username, settings.AXES_FAILURE_LIMIT, **STRANGER)
    assert sign_in_with_password(supervisor.username, **STRANGER).status_code == 429
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME
                                 - datetime.timedelta(seconds=1))
    assert sign_in_with_password(supervisor.username, **STRANGER).status_code == 302


def test_the_lockout_page_is_translated(sign_in_with_password, enrolled_supervisor, settings):
    supervisor, _device = enrolled_supervisor
    _fail(sign_in_with_password, supervisor.username, settings.AXES_FAILURE_LIMIT, **STRANGER)
    response = sign_in_with_password(supervisor.username, HTTP_ACCEPT_LANGUAGE="es", **STRANGER)
    assert response.status_code == 429
    assert "Inicio de sesión en pausa" in response.content.decode()
    assert "Sign-in paused" not in response.content.decode()


def test_the_sign_in_page_is_translated(password_only_client):
    page = password_only_client.get("/staff/login/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Logowanie pracowników" in page
    assert "Staff sign-in" not in page and "User name" not in page
