"""Staff sessions end after inactivity and after a working day; public filers' sessions are left alone."""

import time

import pytest

from signin import sessions

pytestmark = pytest.mark.django_db


def _age(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_an_active_session_stays_open(client, staff, settings):
    client.force_login(staff["supervisor"])
    _age(client, **{sessions.SEEN: settings.STAFF_SESSION_IDLE_SECONDS - 60})
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/").status_code == 200


def test_a_session_ends_after_inactivity(client, staff, settings):
    client.force_login(staff["supervisor"])
    _age(client, **{sessions.SEEN: settings.STAFF_SESSION_IDLE_SECONDS + 1})
    response = client.get("/staff/board/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=%2Fstaff%2Fboard%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Your session has ended. Please sign in again." in page
    assert client.get("/staff/").status_code == 302  # signed out, not just bounced once


def test_a_session_ends_after_a_working_day_even_when_active(client, staff, settings):
    assert settings.STAFF_SESSION_MAX_SECONDS == 10 * 3600
    client.force_login(staff["supervisor"])
    _age(client, **{sessions.STARTED: settings.STAFF_SESSION_MAX_SECONDS + 1, sessions.SEEN: 5})
    assert client.get("/staff/").status_code == 302


def test_the_session_cookie_expires_with_inactivity(client, staff, settings):
    client.force_login(staff["supervisor"])
    client.get("/staff/")
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60


def test_public_follow_up_sessions_get_no_staff_time_out(client, complaint_with_everything):
    response = client.post("/en/follow-up/", {"reference": complaint_with_everything.reference,
                                              "code": complaint_with_everything.follow_up_code})
    assert response.status_code == 302
    assert sessions.STARTED not in client.session and sessions.SEEN not in client.session
    assert client.get(response["Location"]).status_code == 200
