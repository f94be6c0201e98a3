"""The staff workspace in a real browser: sign in as a seeded role and see the newest complaints."""

import pytest

pytestmark = pytest.mark.e2e


def test_supervisor_signs_in_and_sees_complaints(live_app, page):
    live_app.manage("shell", "-c", (
        "from django.contrib.auth.models import User, Group;"
        "u = User.objects.create_user('e2e-supervisor', password='e2e-long-password-123');"
        "u.groups.add(Group.objects.get(name='supervisor'))"
    ))
    page.goto(live_app.url + "/staff/")
    assert "/staff/login/" in page.url
    page.get_by_label("User name").fill("e2e-supervisor")
    page.get_by_label("Password").fill("e2e-long-password-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_app.url + "/staff/")
    assert page.get_by_role("button", name="Sign out").is_visible()
