"""Anonymous means anonymous (issue 15, item 6): the whole path over HTTP, from the public form to the staff.

An anonymous filer sends a GPS-tagged photo; staff see and download only the copy without location, device and
author data; the original, kept byte for byte, opens only for an administrator or the assigned investigator, for
a typed reason, and each opening is logged and shown on the case page and in the case file.
"""

import hashlib
import json
import re
import subprocess

import pytest
from django.core.files.storage import storages

from complaints.models import Complaint, DerivedFile, EvidenceAccess
from complaints.processing import process_now
from tests.factories import pdf_text, squeezed, walk

pytestmark = pytest.mark.django_db


def gps_jpeg(path):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1",
                    str(path)], check=True)
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N",
                    "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", "-Make=Apple", "-Model=iPhone 15",
                    "-SerialNumber=F2LXK1ABC", "-Artist=Jane Doe", str(path)], check=True)
    return path


def exif_of(data, tmp_path):
    path = tmp_path / f"read-{hashlib.sha256(data).hexdigest()[:8]}.jpg"
    path.write_bytes(data)
    [tags] = json.loads(subprocess.run(["exiftool", "-j", "-a", "-G1", str(path)], capture_output=True, text=True,
                                       check=True).stdout)
    return tags


def body(response):
    return b"".join(response.streaming_content)


def file_complaint(client, photo, **data):
    with open(photo, "rb") as handle:
        response = client.post("/en/file/", {"filer_role": "anonymous", "narrative": "An officer pushed me.",
                                             "evidence": [handle], **data})
    assert response.status_code == 200
    reference = re.search(r'id="reference">([^<]+)<', response.content.decode()).group(1)
    return Complaint.objects.get(reference=reference)


@pytest.fixture
def photo(tmp_path):
    return gps_jpeg(tmp_path / "IMG_2041.JPG")


@pytest.fixture
def sealed_case(client, team, photo, settings, scratch_dir):
    """An anonymous complaint with a GPS-tagged photo, filed through the form, processed, assigned."""
    settings.EVIDENCE_SCAN = "off"
    complaint = file_complaint(client, photo)  # the box is not even sent: anonymous seals anyway
    evidence = complaint.evidence.get()
    assert evidence.original_sealed
    process_now(evidence.pk)
    walk(complaint.investigation, team, "investigating")
    return evidence


def test_staff_see_and_download_only_the_copy_without_gps_device_or_author(client, team, sealed_case, photo,
                                                                            tmp_path):
    client.force_login(team["supervisor"])
    copy = sealed_case.derived_files.get(purpose=DerivedFile.Purpose.STRIPPED)
    for address in (f"/staff/evidence/{sealed_case.pk}/", f"/staff/evidence/{sealed_case.pk}/download/"):
        response = client.get(address)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        served = body(response)
        assert hashlib.sha256(served).hexdigest() == copy.sha256
        tags = exif_of(served, tmp_path)
        assert not [k for k in tags if k.startswith("GPS") or k.split(":")[-1] in
                    ("Make", "Model", "SerialNumber", "Artist")]
    assert list(EvidenceAccess.objects.filter(evidence=sealed_case).values_list("action", flat=True)) == [
        "download", "view"]
    # The original is kept byte for byte, under the hash the filer's receipt shows.
    assert storages["evidence"].open(sealed_case.file.name).read() == photo.read_bytes()
    assert sealed_case.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest() == copy.original_sha256
    page = client.get(f"/staff/cases/{sealed_case.complaint.reference}/").content.decode()
    assert "Original sealed" in page and copy.sha256 in page
    assert "Download the original" not in page and "Open the sealed original" not in page


def test_before_the_copy_is_made_staff_are_told_it_is_being_prepared(client, team, photo, settings,
                                                                      scratch_dir):
    complaint = file_complaint(client, photo)
    client.force_login(team["intake"])
    response = client.get(f"/staff/evidence/{complaint.evidence.get().pk}/")
    assert response.status_code == 202
    assert "being prepared" in response.content.decode()
    assert b"\xff\xd8" not in response.content
    assert not EvidenceAccess.objects.exists()


def test_opening_the_original_needs_the_assigned_investigator_or_an_administrator_and_a_reason(
        client, team, sealed_case, photo):
    address = f"/staff/evidence/{sealed_case.pk}/sealed-original/"
    reason = "The filer's location at the time is disputed by the officer's report."
    # An investigator not on the case does not know it exists; a supervisor who sees it is refused.
    client.force_login(team["other investigator"])
    assert client.post(address, {"reason": reason}).status_code == 404
    client.force_login(team["supervisor"])
    refused = client.post(address, {"reason": reason})
    assert refused.status_code == 403 and "Only an administrator or the investigator assigned" in \
        refused.content.decode()
    # The assigned investigator: a form first, no reason no file, then the original with its reason logged.
    client.force_login(team["investigator"])
    page = client.get(f"/staff/cases/{sealed_case.complaint.reference}/").content.decode()
    assert f'href="{address}"' in page
    assert client.get(address).status_code == 200
    no_reason = client.post(address, {"reason": "  "})
    assert no_reason.status_code == 400 and "Say why you need the original" in no_reason.content.decode()
    assert not EvidenceAccess.objects.filter(action="open_sealed").exists()
    opened = client.post(address, {"reason": reason})
    assert opened.status_code == 200 and body(opened) == photo.read_bytes()
    assert opened["Content-Disposition"].startswith("attachment")
    client.force_login(team["administrator"])
    assert body(client.post(address, {"reason": "Court order 2026-114"})) == photo.read_bytes()

    openings = EvidenceAccess.objects.filter(evidence=sealed_case, action="open_sealed").order_by("at", "pk")
    assert [(row.user, row.reason) for row in openings] == [
        (team["investigator"], reason), (team["administrator"], "Court order 2026-114")]
    client.force_login(team["supervisor"])
    page = client.get(f"/staff/cases/{sealed_case.complaint.reference}/").content.decode()
    assert f"Opened by {team['investigator'].username}" in page and "disputed by the officer" in page
    log = client.get(f"/staff/cases/{sealed_case.complaint.reference}/evidence-log/").content.decode()
    assert "opened the sealed original" in log and "Court order 2026-114" in log
    text = squeezed(pdf_text(client.get(
        f"/staff/cases/{sealed_case.complaint.reference}/case-file.pdf").content))
    assert squeezed("Original sealed at the complainant") in text and "Courtorder2026-114" in text


def test_a_named_filer_chooses_whether_the_original_is_sealed(client, photo, settings, scratch_dir):
    kept = file_complaint(client, photo, filer_role="harmed", remove_metadata="on")
    assert kept.evidence.get().original_sealed
    unticked = file_complaint(client, photo, filer_role="harmed")
    assert not unticked.evidence.get().original_sealed
