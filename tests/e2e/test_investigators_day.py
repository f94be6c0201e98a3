"""Issue 12's day in a real browser, end to end: the investigator adds body-worn camera footage with its custody
record and checks it out to her supervisor; the case goes to review and comes back, and she gets the "returned"
e-mail (no case details); she finds the case by a word of the account; the duplicate filed by a witness is joined
into it (a supervisor closes it: an investigator never closes a complaint herself)."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.e2e

SETUP = """
import json
from django.contrib.auth.models import Group, User
from complaints import roles
from complaints.history import recorded
from complaints.models import Category, Disposition, Officer, Unit
from complaints.services import file_complaint
from investigations import services

inv = User.objects.get(username='e2e-day-investigator')
inv.email = 'day-investigator@agency.example'
inv.save()
intake = User.objects.create_user(username='e2e-day-intake')
intake.groups.add(Group.objects.get(name=roles.INTAKE_COORDINATOR))
assigner = User.objects.create_user(username='e2e-day-assigner')
assigner.groups.add(Group.objects.get(name=roles.SUPERVISOR))
with recorded(label='test', reason='e2e roster'):
    n = Unit.objects.count()
    unit = Unit.objects.create(code=f'D{n}', name=f'Unit {n}')
    officer = Officer.objects.create(first_name='Dee', last_name='Patrol', employee_id=f'D{n}', unit=unit)
force = Category.objects.get(code='excessive-force')
main, _code = file_complaint(
    narrative='The officer shoved me against the patrol car at the bus stop.', filer_role='harmed', language='en',
    label='public filer', parties=[{'role': 'harmed', 'is_filer': True, 'name': 'Rosa Diaz'}],
    allegations=[{'officer': officer, 'category': force}])
duplicate, _code = file_complaint(
    narrative='I saw an officer push a woman against a police car near the bus stop.', filer_role='third_party',
    language='en', label='public filer', allegations=[{'category': force}])
case = main.investigation
services.triage_complaint(case, by=intake, reason='ok')
services.assign_investigator(case, inv, by=assigner, attested=True)
services.start_investigation(case, by=inv)
print(json.dumps({'main': main.reference, 'duplicate': duplicate.reference}))
"""

SUBMIT = """
from django.contrib.auth.models import User
from complaints.models import Complaint, Disposition
from investigations import services
inv = User.objects.get(username='e2e-day-investigator')
complaint = Complaint.objects.get(reference='{reference}')
case = complaint.investigation
for allegation in complaint.allegations.all():
    services.record_finding(case, allegation, Disposition.objects.get(code='not-sustained'), by=inv,
                            reason='the footage does not show the push')
services.begin_retaliation_check(case, by=inv)
services.record_retaliation_check(case, by=inv, answers={{p.pk: {{'asked': True}}
                                                         for p in services.identified_people(case)}})
services.submit_for_review(case, by=inv)
"""


def shot(page, name):
    """A full-page screenshot into E2E_SCREENSHOTS when it is set (to look at the pages by eye)."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_an_investigators_day(live_app, browser, staff_login, tmp_path):
    investigator = staff_login("e2e-day-investigator", "investigator")
    supervisor = staff_login("e2e-day-supervisor", "supervisor")
    refs = json.loads(live_app.manage("shell", "-v", "0", "-c", SETUP).strip().splitlines()[-1])
    main, duplicate = refs["main"], refs["duplicate"]
    clip = tmp_path / "bwc-0412.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=176x144:rate=10",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", str(clip)], check=True)

    # Body-worn camera footage from the evidence custodian, with its custody record; checked out to the reviewer.
    inv_context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = inv_context.new_page()
    investigator(page, f"/staff/cases/{main}/")
    page.get_by_text("Add evidence you gathered (a file)").click()
    page.get_by_label("File (video, photo, audio or PDF)").set_input_files(str(clip))
    page.get_by_label("What it is").select_option("body_worn_camera")
    page.get_by_label("or received from (name and role, for someone outside the system)").fill(
        "Evidence custodian J. Park")
    page.get_by_role("button", name="Add the file").click()
    page.wait_for_url(f"{live_app.url}/staff/cases/{main}/")
    assert page.get_by_text("body-worn camera footage, gathered by e2e-day-investigator").is_visible()
    page.get_by_text("Chain of custody (1)").click()
    custody = page.locator("details.custody").first
    assert "Evidence custodian J. Park" in custody.inner_text()
    custody.get_by_label("What happened").select_option("checked_out")
    custody.get_by_label("To (staff member)").select_option(label="e2e-day-supervisor")
    custody.get_by_label("Reason or notes").fill("For the supervisor's review")
    custody.get_by_role("button", name="Record custody").click()
    page.wait_for_url(f"{live_app.url}/staff/cases/{main}/")
    page.get_by_text("Chain of custody (2)").click()
    row = page.locator("details.custody").first.locator("tbody tr").nth(1)
    assert "checked out" in row.inner_text() and "e2e-day-supervisor" in row.inner_text()
    shot(page, "day-custody")

    # Findings, the anti-retaliation check and the submission (covered by their own tests), then the review.
    live_app.manage("shell", "-v", "0", "-c", SUBMIT.format(reference=main))
    sup_context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    sup_page = sup_context.new_page()
    supervisor(sup_page)
    sup_page.get_by_role("link", name="Awaiting my review").first.click()
    assert main in sup_page.content()
    sup_page.goto(f"{live_app.url}/staff/cases/{main}/do/return_for_more_work/")
    sup_page.get_by_label("Reason").fill("Interview the bus driver.")
    sup_page.get_by_role("button", name=re.compile("Return", re.I)).click()
    sup_page.wait_for_url(f"{live_app.url}/staff/cases/{main}/")

    # The "returned" e-mail: to her, a link, and nothing of the case.
    # The live server is shared by the whole e2e session: count only the mails to this investigator.
    returned = [m for m in live_app.mails()
                if "returned to you after review" in m and "To: day-investigator@agency.example" in m]
    assert len(returned) == 1
    for detail in (main, "Rosa", "shoved", "Patrol", "bus driver"):
        assert detail not in returned[0]
    link = re.search(r"http://\S+/staff/me/notifications/\d+/", returned[0]).group(0)
    page.goto(live_app.url + "/staff/" + link.split("/staff/", 1)[1])
    page.wait_for_url(f"{live_app.url}/staff/cases/{main}/")

    # She finds the case by a word of the account.
    page.goto(f"{live_app.url}/staff/search/")
    page.get_by_label("Words").fill("shoved")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_selector("table.search-results")
    results = page.locator("table.search-results")
    assert main in results.inner_text()
    assert results.locator("mark").first.inner_text().lower() == "shoved"
    shot(page, "day-search")
    assert axe_violations(page) == []

    # The witness's complaint is the same incident: joined into the main case, nothing lost.
    sup_page.goto(f"{live_app.url}/staff/cases/{duplicate}/")
    sup_page.get_by_text("Link this complaint to another").click()
    sup_page.get_by_label("This complaint is").select_option("duplicate_of")
    sup_page.get_by_label("Other complaint (reference)").fill(main)
    sup_page.locator("#linked-complaints").get_by_label("Reason").fill("The same stop, seen by a witness")
    sup_page.get_by_role("button", name="Link", exact=True).click()
    sup_page.wait_for_url(f"{live_app.url}/staff/cases/{duplicate}/")
    assert sup_page.locator("h1 .state").inner_text() == "administratively closed"
    page.goto(f"{live_app.url}/staff/cases/{main}/")
    links = page.locator("#linked-complaints")
    assert "duplicate joined into this one" in links.inner_text() and duplicate in links.inner_text()
    assert "I saw an officer push a woman" in links.inner_text()
    shot(page, "day-main-case")
    assert axe_violations(page) == []
    inv_context.close()
    sup_context.close()
