"""Reaching people who can't type a form, and closure they can read, in a real browser.

A statement recorded in the page (Chromium's fake microphone) is filed as the account; the closed case's
follow-up page, with its plain-language outcome, passes axe-core's WCAG 2.1 AA rules in en, es and ar.
"""

import json

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, axe_violations, wait_until

pytestmark = pytest.mark.e2e

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

CLOSE_A_CASE = """
import datetime, json
from django.contrib.auth.models import Group, User
from django.utils import timezone
from complaints import roles
from complaints.history import recorded
from complaints.models import Category, Disposition, Officer, Unit
from complaints.services import file_complaint
from investigations import services

def user(role):
    u = User.objects.create_user(username=role.replace(' ', '-') + '-' + str(User.objects.count()))
    u.groups.add(Group.objects.get(name=role))
    return u

with recorded(label='test', reason='e2e roster'):
    n = Unit.objects.count()
    unit = Unit.objects.create(code=f'U{n}', name=f'Unit {n}')
    officer = Officer.objects.create(first_name='Cy', last_name='Patrol', employee_id=f'E{n}', unit=unit)
complaint, code = file_complaint(
    narrative='An officer shouted at me.', filer_role='anonymous', language=LANGUAGE,
    preferred_language=LANGUAGE, label='public filer',
    allegations=[{'officer': officer, 'category': Category.objects.get(code='discourtesy')}])
case = complaint.investigation
intake, inv, sup = user(roles.INTAKE_COORDINATOR), user(roles.INVESTIGATOR), user(roles.SUPERVISOR)
services.triage_complaint(case, by=intake, reason='ok')
services.assign_investigator(case, inv, by=sup, attested=True)
services.start_investigation(case, by=inv)
for allegation in complaint.allegations.all():
    services.record_finding(case, allegation, Disposition.objects.get(code='unfounded'), by=inv, reason='video')
services.begin_retaliation_check(case, by=inv)
services.record_retaliation_check(case, by=inv, answers={})
services.submit_for_review(case, by=inv)
services.approve_findings(case, by=sup)
services.close_investigation(case, by=sup)
print(json.dumps({'reference': complaint.reference, 'code': code}))
"""


@pytest.fixture(scope="module")
def recording_browser(browser):
    """A second Chromium from the same Playwright, with a fake microphone and camera that need no prompt."""
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_MEDIA)
    yield chromium
    chromium.close()


def test_statement_recorded_in_the_page_is_filed_as_the_account(live_app, recording_browser):
    context = recording_browser.new_context(locale="en-US")
    context.grant_permissions(["microphone", "camera"], origin=live_app.url)
    page = context.new_page()
    try:
        page.goto(f"{live_app.url}/en/file/")
        page.check("input[name=filer_role][value=anonymous]")
        page.locator("[data-recorder] [data-kind=audio]").click()
        page.wait_for_selector("[data-recorder] .recorder-stop:visible")
        page.wait_for_timeout(1500)
        page.locator("[data-recorder] .recorder-stop").click()
        wait_until(page, "document.querySelector('.recorder-status').textContent.includes('.webm')")
        assert page.evaluate("document.querySelector('input[type=file][name=evidence]').files.length") == 1
        page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
        page.wait_for_selector("#follow-up-code")
        assert "audio-statement-" in page.content()
    finally:
        context.close()


def test_without_a_recorder_the_typed_form_is_all_there_is(live_app, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_app.url}/en/file/")
        assert not page.locator("[data-recorder]").is_visible()
        assert page.locator("textarea[name=narrative]").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_closed_case_page_has_no_wcag_aa_violations(live_app, page, language):
    output = live_app.manage("shell", "-v", "0", "-c", CLOSE_A_CASE.replace("LANGUAGE", repr(language)))
    shown = json.loads(output.strip().splitlines()[-1])
    page.goto(f"{live_app.url}/{language}/follow-up/")
    page.fill("input[name=reference]", shown["reference"])
    page.fill("input[name=code]", shown["code"])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("#outcome-title")
    checked = {"closed case": axe_violations(page)}
    page.fill("input[name=email]", "not an address")
    page.locator("input[name=action][value=notices] ~ p button, form:has(input[value=notices]) button").first.click()
    page.wait_for_selector(".error-summary")
    checked["notice form with errors"] = axe_violations(page)
    assert {name: v for name, v in checked.items() if v} == {}
