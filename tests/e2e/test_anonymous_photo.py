"""Anonymous means anonymous, in Chromium: the filer is told what a photo can give away before sending it, sends a
GPS-tagged photo, and the assigned investigator works from the copy without location, device or author."""

import json
import re
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.e2e


def gps_jpeg(path):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x480", "-frames:v", "1",
                    str(path)], check=True)
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-GPSLatitude=40.7128", "-GPSLatitudeRef=N",
                    "-GPSLongitude=74.0060", "-GPSLongitudeRef=W", "-Make=Apple", "-Model=iPhone 15",
                    "-SerialNumber=F2LXK1ABC", "-Artist=Jane Doe", str(path)], check=True)
    return path


def exif(path):
    [tags] = json.loads(subprocess.run(["exiftool", "-j", "-a", "-G1", str(path)], capture_output=True, text=True,
                                       check=True).stdout)
    return tags


def test_anonymous_filer_is_warned_and_staff_see_only_the_stripped_photo(live_app, page, staff_login, tmp_path):
    photo = gps_jpeg(tmp_path / "IMG_3001.JPG")
    page.goto(f"{live_app.url}/en/file/")
    notice = page.locator("#id_remove_metadata_helptext")
    assert "where they were made (GPS position)" in notice.inner_text()
    assert page.is_checked("input[name=remove_metadata]")
    page.check("input[name=filer_role][value=anonymous]")
    page.fill("textarea[name=narrative]", "I photographed the car and the officer at the corner.")
    page.set_input_files("input[type=file][name=evidence]", str(photo))
    page.locator(".metadata-choice").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "notice-en.png"), full_page=False)
    page.click("#send-button")
    page.wait_for_selector("#follow-up-code", timeout=60000)
    reference = page.inner_text("#reference").strip()

    investigator = staff_login("e2e-sealed-investigator", "investigator")
    staff_login("e2e-sealed-supervisor", "supervisor")
    evidence_id = live_app.manage("shell", "-c", (
        "from django.contrib.auth.models import User; from complaints.models import Complaint;"
        "from investigations import services;"
        f"c = Complaint.objects.get(reference={reference!r}); case = c.investigation;"
        "sup = User.objects.get(username='e2e-sealed-supervisor');"
        "services.triage_complaint(case, by=sup, reason='photo of the stop');"
        "services.assign_investigator(case, User.objects.get(username='e2e-sealed-investigator'), by=sup,"
        " attested=True);"
        "e = c.evidence.get(); print(e.pk, e.original_sealed)")).split()[-2:]
    assert evidence_id[1] == "True"
    subprocess.run([sys.executable, "manage.py", "process_evidence", "--now", evidence_id[0]], cwd=ROOT,
                   env={**live_app.env, "EVIDENCE_SCAN": "off"}, check=True, capture_output=True)

    investigator(page, f"/staff/cases/{reference}/")
    evidence = page.locator("#evidence-h + ul > li").first
    assert "Original sealed" in evidence.inner_text()
    assert "Open the sealed original" in evidence.inner_text()
    assert "Download the original" not in evidence.inner_text()
    page.locator("section[aria-labelledby=evidence-h]").screenshot(path=str(tmp_path / "case-en.png"))
    served = page.request.get(f"{live_app.url}/staff/evidence/{evidence_id[0]}/")
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    copy = tmp_path / "served.jpg"
    copy.write_bytes(served.body())
    tags = exif(copy)
    assert not [k for k in tags if "GPS" in k or k.split(":")[-1] in ("Make", "Model", "SerialNumber", "Artist")]
    assert re.search(r"SHA-256 [0-9a-f]{64}", evidence.inner_text())

    # The sealed original asks for a reason before it opens.
    page.get_by_role("link", name="Open the sealed original").click()
    assert page.get_by_label("Why do you need the original?").is_visible()
    page.screenshot(path=str(tmp_path / "sealed-original-en.png"))
    # The notice in a right-to-left language.
    page.goto(f"{live_app.url}/ar/file/")
    page.locator(".metadata-choice").screenshot(path=str(tmp_path / "notice-ar.png"))
    assert page.is_checked("input[name=remove_metadata]")
