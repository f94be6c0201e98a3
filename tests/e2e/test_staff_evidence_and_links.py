"""The investigator's evidence and linked complaints in a real browser: body-worn camera footage with its custody
record, checked out to a reviewer, and a duplicate closed into the main case."""

import subprocess

import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.e2e

SETUP = """
from django.contrib.auth.models import User
from complaints.models import Category
from complaints.services import file_complaint
from investigations import services
force = Category.objects.get(code="excessive-force")
main, _c = file_complaint(narrative="The officer shoved me against the car.", filer_role="harmed", language="en",
                          allegations=[{"category": force}], label="public filer")
dup, _c = file_complaint(narrative="I saw an officer shove a woman against a car.", filer_role="third_party",
                         language="en", allegations=[{"category": force}], label="public filer")
case = main.investigation
services.triage_complaint(case, by=User.objects.get(username="e2e-links-intake"))
services.assign_investigator(case, User.objects.get(username="e2e-links-investigator"),
                             by=User.objects.get(username="e2e-links-supervisor"), attested=True)
services.start_investigation(case, by=User.objects.get(username="e2e-links-investigator"))
print(main.reference, dup.reference)
"""


def test_investigator_adds_bwc_footage_checks_it_out_and_a_supervisor_links_a_duplicate(
        live_app, browser, staff_login, tmp_path):
    investigator = staff_login("e2e-links-investigator", "investigator")
    supervisor = staff_login("e2e-links-supervisor", "supervisor")
    staff_login("e2e-links-intake", "intake coordinator")
    main, duplicate = live_app.manage("shell", "-c", SETUP).split()[-2:]
    clip = tmp_path / "bwc-2147.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=176x144:rate=10",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", str(clip)], check=True)

    page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    investigator(page, f"/staff/cases/{main}/")
    page.get_by_text("Add evidence you gathered (a file)").click()
    page.get_by_label("File (video, photo, audio or PDF)").set_input_files(str(clip))
    page.get_by_label("What it is").select_option("body_worn_camera")
    page.get_by_label("or received from (name and role, for someone outside the system)").fill(
        "Evidence custodian J. Park")
    page.get_by_role("button", name="Add the file").click()
    page.wait_for_url(f"{live_app.url}/staff/cases/{main}/")
    assert page.get_by_text("body-worn camera footage, gathered by e2e-links-investigator").is_visible()

    page.get_by_text("Chain of custody (1)").click()
    custody = page.locator("details.custody").first
    custody.get_by_label("What happened").select_option("checked_out")
    custody.get_by_label("To (staff member)").select_option(label="e2e-links-supervisor")
    custody.get_by_label("Reason or notes").fill("For the supervisor's review")
    custody.get_by_role("button", name="Record custody").click()
    page.wait_for_url(f"{live_app.url}/staff/cases/{main}/")
    page.get_by_text("Chain of custody (2)").click()
    row = page.locator("details.custody").first.locator("tbody tr").nth(1)
    assert "checked out" in row.inner_text() and "e2e-links-supervisor" in row.inner_text()
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "case-custody.png"), full_page=True)

    sup_page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    supervisor(sup_page, f"/staff/cases/{duplicate}/")
    sup_page.get_by_text("Link this complaint to another").click()
    sup_page.get_by_label("This complaint is").select_option("duplicate_of")
    sup_page.get_by_label("Other complaint (reference)").fill(main)
    sup_page.locator("#linked-complaints").get_by_label("Reason").fill("The same stop, seen by a witness")
    sup_page.get_by_role("button", name="Link", exact=True).click()
    sup_page.wait_for_url(f"{live_app.url}/staff/cases/{duplicate}/")
    assert sup_page.locator("h1 .state").inner_text() == "administratively closed"
    sup_page.goto(f"{live_app.url}/staff/cases/{main}/")
    links = sup_page.locator("#linked-complaints")
    assert "duplicate joined into this one" in links.inner_text() and duplicate in links.inner_text()
    assert "I saw an officer shove a woman" in links.inner_text()
    assert axe_violations(sup_page) == []
    sup_page.screenshot(path=str(tmp_path / "case-links.png"), full_page=True)
