"""The intake desk: complaints received by phone, in person, by mail or as an ASL video, entered by staff."""

import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from complaints import roles
from complaints.models import Complaint
from complaints.services import follow_up_code_matches

pytestmark = pytest.mark.django_db

PHONE_CALL = {"channel": "phone", "filer_role": "harmed", "name": "Ana Ruiz", "phone": "555-0150",
              "preferred_language": "es", "narrative": "El agente me empujó en la parada del autobús.",
              "categories": [], "officer_name": ""}


def shown(page, element_id):
    match = re.search(rf'id="{element_id}">([^<]+)<', page)
    assert match, element_id
    return match.group(1)


@pytest.fixture
def desk(client, staff):
    client.force_login(staff[roles.INTAKE_COORDINATOR])
    return client


def test_phone_complaint_gets_reference_code_and_channel(desk, staff):
    page = desk.post("/staff/intake/new/", PHONE_CALL)
    assert page.status_code == 200
    text = page.content.decode()
    complaint = Complaint.objects.get(reference=shown(text, "reference"))
    assert complaint.channel == Complaint.Channel.PHONE
    assert complaint.preferred_language == "es"
    assert follow_up_code_matches(complaint, shown(text, "follow-up-code"))
    assert complaint.history.first().history_user == staff[roles.INTAKE_COORDINATOR]
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_filer_gets_the_same_receipt_in_their_language(desk):
    text = desk.post("/staff/intake/new/", PHONE_CALL).content.decode()
    reference, code = shown(text, "reference"), shown(text, "follow-up-code")
    assert 'action="/es/receipt/pdf/"' in text
    pdf = desk.post("/es/receipt/pdf/", {"reference": reference, "code": code})
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert reference in pdf_text
    assert "Comprobante de la queja" in pdf_text  # in Spanish


def test_filer_can_follow_up_online_with_the_code_read_out(client, desk):
    text = desk.post("/staff/intake/new/", {**PHONE_CALL, "preferred_language": "en"}).content.decode()
    reference, code = shown(text, "reference"), shown(text, "follow-up-code")
    client.logout()
    response = client.post("/en/follow-up/", {"reference": reference, "code": code.lower().replace("-", " ")})
    assert response.status_code == 302 and response["Location"].endswith("/follow-up/case/")


def test_asl_video_is_attached_and_recorded_as_the_channel(desk, tmp_path):
    video = tmp_path / "asl.webm"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=176x144:rate=10",
                    "-c:v", "libvpx", str(video)], check=True)
    with video.open("rb") as handle:
        page = desk.post("/staff/intake/new/", {**PHONE_CALL, "channel": "asl_video", "evidence": handle})
    complaint = Complaint.objects.get(reference=shown(page.content.decode(), "reference"))
    assert complaint.channel == Complaint.Channel.ASL_VIDEO
    assert "asl" in complaint.accessibility_needs
    assert [e.kind for e in complaint.evidence.all()] == ["video"]


def test_asl_channel_without_the_video_is_refused_and_keeps_the_typed_words(desk):
    page = desk.post("/staff/intake/new/", {**PHONE_CALL, "channel": "asl_video"})
    assert page.status_code == 400
    assert "Please attach the ASL video." in page.content.decode()
    assert PHONE_CALL["narrative"] in page.content.decode()
    assert not Complaint.objects.exists()


def test_representative_entered_by_staff_is_recorded_with_the_person_harmed(desk):
    page = desk.post("/staff/intake/new/", {**PHONE_CALL, "channel": "mail", "filer_role": "representative",
                                            "name": "Lee Counsel", "harmed_person_name": "Ana Ruiz"})
    complaint = Complaint.objects.get(reference=shown(page.content.decode(), "reference"))
    assert sorted((p.role, p.is_filer) for p in complaint.parties.all()) == [
        ("harmed", False), ("representative", True)]
