"""Work finds the person, in a real browser: the supervisor finds the case awaiting her review and returns it; the
investigator gets the e-mail (no case details, a link), sees the bell, opens the notification, finds the overdue
task in "My tasks", and chooses a daily digest in Spanish."""

import json
import os
import re
from pathlib import Path

import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.e2e

SUBMITTED_CASE = """
import datetime, json
from django.contrib.auth.models import Group, User
from django.utils import timezone
from complaints import roles
from complaints.history import recorded
from complaints.models import Category, Disposition, Officer, Unit
from complaints.services import file_complaint
from investigations import services

inv = User.objects.get(username='e2e-h12b-investigator')
inv.email = 'investigator@agency.example'
inv.save()
intake = User.objects.create_user(username='e2e-h12b-intake')
intake.groups.add(Group.objects.get(name=roles.INTAKE_COORDINATOR))
assigner = User.objects.create_user(username='e2e-h12b-assigner')
assigner.groups.add(Group.objects.get(name=roles.SUPERVISOR))
with recorded(label='test', reason='e2e roster'):
    n = Unit.objects.count()
    unit = Unit.objects.create(code=f'W{n}', name=f'Unit {n}')
    officer = Officer.objects.create(first_name='Cy', last_name='Patrol', employee_id=f'W{n}', unit=unit)
complaint, code = file_complaint(
    narrative='The officer shoved me at the bus stop.', filer_role='harmed', language='en', label='public filer',
    parties=[{'role': 'harmed', 'is_filer': True, 'name': 'Rosa Diaz'}],
    allegations=[{'officer': officer, 'category': Category.objects.get(code='excessive-force')}])
case = complaint.investigation
services.triage_complaint(case, by=intake, reason='ok')
services.assign_investigator(case, inv, by=assigner, attested=True)
services.start_investigation(case, by=inv)
services.add_task(case, by=inv, title='Request the bus stop camera footage',
                  due_on=timezone.localdate() - datetime.timedelta(days=2))
for allegation in complaint.allegations.all():
    services.record_finding(case, allegation, Disposition.objects.get(code='not-sustained'), by=inv, reason='video')
services.begin_retaliation_check(case, by=inv)
services.record_retaliation_check(case, by=inv, answers={p.pk: {'asked': True}
                                                        for p in services.identified_people(case)})
services.submit_for_review(case, by=inv)
print(json.dumps({'reference': complaint.reference}))
"""


def shot(page, name):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_returned_case_reaches_the_investigator_by_e_mail_bell_and_lists(live_app, browser, staff_login):
    investigator = staff_login("e2e-h12b-investigator", "investigator")
    supervisor = staff_login("e2e-h12b-supervisor", "supervisor")
    reference = json.loads(live_app.manage("shell", "-v", "0", "-c", SUBMITTED_CASE).strip().splitlines()[-1])[
        "reference"]

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    supervisor(page)
    page.get_by_role("link", name="Awaiting my review").first.click()
    assert reference in page.content()
    shot(page, "awaiting-review")
    assert axe_violations(page) == []
    page.goto(f"{live_app.url}/staff/cases/{reference}/do/return_for_more_work/")
    page.get_by_label("Reason").fill("Interview the bus driver.")
    page.get_by_role("button", name=re.compile("Return", re.I)).click()
    page.wait_for_url(f"{live_app.url}/staff/cases/{reference}/")
    context.close()

    # The live server is shared by the whole e2e session: count only the mails to this investigator.
    returned = [m for m in live_app.mails()
                if "returned to you after review" in m and "To: investigator@agency.example" in m]
    assert len(returned) == 1
    mail = returned[0]
    for detail in (reference, "Rosa", "shoved", "Patrol", "bus driver"):
        assert detail not in mail
    link = re.search(r"http://\S+/staff/me/notifications/\d+/", mail).group(0)

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    investigator(page)
    assert page.locator("#unread-count").inner_text() == "2"  # assigned, then returned
    shot(page, "investigator-home")
    page.goto(link.replace(link.split("/staff/")[0], live_app.url))
    page.wait_for_url(f"{live_app.url}/staff/cases/{reference}/")
    assert page.locator("#unread-count").inner_text() == "1"
    page.get_by_role("link", name="Notifications").click()
    shot(page, "notifications")
    assert axe_violations(page) == []
    page.get_by_role("link", name="My tasks").first.click()
    row = page.locator("tr", has_text="Request the bus stop camera footage")
    assert "overdue" in row.get_attribute("class")
    shot(page, "my-tasks")
    assert axe_violations(page) == []
    page.get_by_role("link", name="My settings").first.click()
    page.get_by_label("Language").select_option("es")
    page.get_by_label("one e-mail a day with everything waiting").check()
    page.get_by_role("button", name="Save").click()
    assert "Your settings are saved." in page.content()
    shot(page, "settings")
    assert axe_violations(page) == []
    context.close()
