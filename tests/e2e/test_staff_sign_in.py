"""Staff sign-in in a real browser: an authenticator code, enrolment at first sign-in, and the lockout."""

import base64
import re

import pytest
from django_otp.oath import totp

from .conftest import axe_violations

pytestmark = pytest.mark.e2e


def _csp_reports(page):
    reports = []
    page.on("console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text else None)
    return reports


def test_staff_member_signs_in_with_an_authenticator_code(live_app, page, staff_login):
    reports = _csp_reports(page)
    sign_in = staff_login("e2e-intake", "intake coordinator")
    sign_in(page, "/staff/triage/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.goto(live_app.url + "/en/file/")
    page.check("input[name=filer_role][value=anonymous]")
    assert page.locator("#contact-details").is_hidden()  # the filing form's script (a static file) still runs
    assert reports == []


def test_first_sign_in_enrols_an_authenticator(live_app, page):
    live_app.manage("shell", "-c", (
        "from django.contrib.auth.models import User, Group;"
        "u = User.objects.create_user('e2e-new-auditor', password='e2e-long-password-123');"
        "u.groups.add(Group.objects.get(name='auditor'))"
    ))
    reports = _csp_reports(page)
    page.goto(live_app.url + "/staff/login/")
    assert axe_violations(page) == []
    page.get_by_label("User name").fill("e2e-new-auditor")
    page.get_by_label("Password").fill("e2e-long-password-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/staff/sign-in/enrol/.*"))
    assert page.locator(".qr svg").is_visible()
    assert axe_violations(page) == []
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(f"{totp(base64.b32decode(secret)):06d}")
    page.get_by_role("button", name="Confirm").click()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name=re.compile("continue")).click()
    page.wait_for_url(live_app.url + "/staff/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert reports == []


def test_repeated_wrong_passwords_lock_the_sign_in(live_app, page, staff_login):
    staff_login("e2e-chief", "chief")
    page.goto(live_app.url + "/staff/login/")
    for _ in range(5):
        page.get_by_label("User name").fill("e2e-chief")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Sign-in paused").is_visible()
    page.goto(live_app.url + "/staff/login/")
    page.get_by_label("User name").fill("e2e-chief")
    page.get_by_label("Password").fill("e2e-long-password-123")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Sign-in paused").is_visible()
    assert "/staff/login/" in page.url
