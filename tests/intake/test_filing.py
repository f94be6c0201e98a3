"""Filing a complaint through the public form, as each kind of filer, with real media files."""

import hashlib
import io
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import translation
from django.utils.html import escape

from complaints.history import recorded
from complaints.models import Allegation, Category, Complaint, Evidence, Party
from intake import views
from intake.forms import ComplaintForm, evidence_hint

from .conftest import ALL_KINDS, latest_complaint, shown_code, shown_reference, stored_files

pytestmark = pytest.mark.django_db


def test_form_page_works_without_an_account(client):
    response = client.get("/en/file/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<legend>Who is filing?</legend>' in html


def form_questions(html):
    """The form's questions: what follows the one-time submission token, up to the send button."""
    return html.split('name="submission"', 1)[1].split("\n", 1)[1].split('<div id="upload-panel"', 1)[0]


def test_a_fresh_form_is_rendered_once_and_shown_the_same_to_every_filer(client, settings):
    views._FRESH_FIELDS.clear()
    first = client.get("/en/file/").content.decode()
    again = client.get("/en/file/").content.decode()
    assert len(views._FRESH_FIELDS) == 1
    assert form_questions(again) == form_questions(first)
    assert render_to_string("intake/includes/complaint_fields.html", {"form": ComplaintForm()}).strip() in first
    # What the questions are rendered from changes them at once: a new category, another language, other limits.
    with recorded(label="test", reason="a category the agency adds"):
        Category.objects.create(code="towing", public_label="My car was towed")
    assert "My car was towed" in client.get("/en/file/").content.decode()
    assert "My car was towed" in client.get("/es/file/").content.decode()
    settings.EVIDENCE_MAX_FILE_SIZE = 3 * 1024 * 1024
    with translation.override("en"):
        assert escape(evidence_hint()) in client.get("/en/file/").content.decode()
    assert len(views._FRESH_FIELDS) == 4


def test_person_harmed_files_with_contact_details_and_officer_description(filing):
    excessive_force = Category.objects.get(code="excessive-force")
    response = filing({
        "filer_role": "harmed", "name": "Maria Lopez", "phone": "555-0101", "email": "maria@example.org",
        "contact_method": "email", "preferred_language": "es", "categories": [excessive_force.pk],
        "officer_name": "Smith", "officer_badge": "2147", "officer_description": "Tall, grey moustache",
        "vehicle_number": "Car 31", "incident_date": "2025-06-01", "incident_time": "23:15",
        "location": "5th and Main", "accessibility_needs": ["interpreter"],
    })
    assert response.status_code == 200
    complaint = Complaint.objects.get(reference=shown_reference(response))
    assert complaint.filer_role == "harmed"
    assert complaint.preferred_language == "es"
    assert complaint.accessibility_needs == ["interpreter"]
    assert complaint.incident_at is not None and not complaint.incident_time_is_approximate
    filer = complaint.parties.get(is_filer=True)
    assert (filer.role, filer.name, filer.email) == ("harmed", "Maria Lopez", "maria@example.org")
    allegation = complaint.allegations.get()
    assert allegation.category == excessive_force
    assert (allegation.officer_badge_given, allegation.vehicle_number) == ("2147", "Car 31")
    assert allegation.officer is None


def test_witness_can_file_without_giving_a_name(filing):
    response = filing({"filer_role": "third_party", "harmed_person_name": "My neighbour"})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    assert complaint.filer_role == "third_party"
    filer = complaint.parties.get(is_filer=True)
    assert (filer.role, filer.name) == ("complainant", "")
    assert complaint.parties.get(is_filer=False).name == "My neighbour"


def test_anonymous_complaint_keeps_no_name_or_contact_even_if_typed(filing):
    response = filing({"filer_role": "anonymous", "name": "Typed Anyway", "email": "x@example.org",
                       "phone": "555-0199", "contact_method": "email"})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    assert complaint.is_anonymous
    assert not Party.objects.filter(complaint=complaint).exists()
    assert complaint.contact_method == ""


def test_only_the_account_is_required(filing):
    response = filing({"narrative": ""})
    assert response.status_code == 200
    assert not Complaint.objects.exists()
    html = response.content.decode()
    assert "Please tell us what happened." in html
    assert 'href="#id_narrative"' in html  # the error summary links to the field
    assert 'aria-describedby="id_narrative_helptext id_narrative_error"' in html


def test_an_incident_from_years_ago_is_accepted(filing):
    response = filing({"incident_date": "1998-02-03"})
    assert Complaint.objects.get(reference=shown_reference(response)).incident_at.year == 1998


def test_officer_details_without_a_category_become_an_other_allegation(filing):
    response = filing({"officer_badge": "77"})
    allegation = Allegation.objects.get(complaint__reference=shown_reference(response))
    assert allegation.category.code == "other"


@pytest.mark.parametrize("name", sorted(ALL_KINDS))
def test_each_allowed_file_type_is_stored_with_its_sha256(filing, media, evidence_in_tmp, name):
    response = filing(files=[media[name]])
    assert response.status_code == 200, response.content.decode()[:2000]
    evidence = Evidence.objects.get(complaint__reference=shown_reference(response))
    content = media[name].read_bytes()
    assert evidence.kind == ALL_KINDS[name]
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    assert evidence.original_name == name
    assert evidence.submitted_by_public
    with evidence.file.open("rb") as stored:
        assert stored.read() == content
    assert evidence.sha256 in response.content.decode()
    assert stored_files(evidence_in_tmp) == [evidence_in_tmp / evidence.file.name]


def test_several_files_in_one_complaint(filing, media):
    response = filing(files=[media["clip.mp4"], media["photo.jpg"], media["voice.mp3"]])
    complaint = Complaint.objects.get(reference=shown_reference(response))
    assert sorted(complaint.evidence.values_list("kind", flat=True)) == ["audio", "photo", "video"]


@pytest.mark.parametrize("name", ["video.mp4", "run.sh", "drawing.svg", "archive.zip"])
def test_disallowed_content_is_refused_and_nothing_is_stored(filing, media, evidence_in_tmp, name):
    response = filing({"filer_role": "harmed", "name": "Kept Name", "location": "Kept place"},
                      files=[media["photo.png"], media[name]])
    assert response.status_code == 200
    html = response.content.decode()
    assert f"“{name}” is not a type of file we can accept." in html
    assert "Kept Name" in html and "Kept place" in html  # what the filer typed is kept
    assert "please choose your files again" in html
    assert not Complaint.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(evidence_in_tmp) == []


def test_a_file_over_the_size_limit_is_refused_while_streaming(filing, media, evidence_in_tmp, settings, tmp_path):
    settings.EVIDENCE_MAX_FILE_SIZE = 4096
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    response = filing(files=[media["voice.wav"]])  # about 88 kB
    html = response.content.decode()
    assert "“voice.wav” is too large. Each file can be up to 4.0 KB." in html
    assert not Complaint.objects.exists()
    assert stored_files(evidence_in_tmp) == []
    assert stored_files(tmp_path / "uploads") == []  # the partial upload is gone too


def test_too_many_files_are_refused(filing, media, settings):
    settings.EVIDENCE_MAX_FILES_PER_COMPLAINT = 2
    response = filing(files=[media["photo.png"], media["photo.jpg"], media["photo.webp"]])
    assert "You can attach up to 2 files." in response.content.decode()
    assert not Complaint.objects.exists()


def test_honeypot_filled_in_files_nothing(filing):
    response = filing({"homepage": "http://spam.example"})
    assert "Please leave the last field empty." in response.content.decode()
    assert not Complaint.objects.exists()


def test_filings_per_address_are_rate_limited(filing, settings):
    settings.INTAKE_COMPLAINTS_PER_HOUR = 2
    assert filing().status_code == 200
    assert filing().status_code == 200
    response = filing({"narrative": "Third complaint text"})
    assert response.status_code == 429
    assert "Third complaint text" in response.content.decode()
    assert Complaint.objects.count() == 2
    assert filing(REMOTE_ADDR="10.9.8.7").status_code == 200  # another address is not affected


def test_anonymous_complaint_stores_no_address_or_browser(filing, media):
    address, agent = "203.0.113.77", "Mozilla/5.0 (Linux; Android 14; Pixel 8) UniqueAgentMarker/1.0"
    filing({"filer_role": "anonymous"}, files=[media["photo.jpg"]], REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    assert Complaint.objects.count() == 1
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == "django_session":
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert address not in text, table
                assert "UniqueAgentMarker" not in text, table


def test_language_switch_keeps_what_was_typed(client, db):
    response = client.post("/en/file/", {"filer_role": "third_party", "narrative": "Lo que vi en la calle",
                                         "location": "Parque central", "accessibility_needs": ["asl", "tty"],
                                         "language": "es", "switch_language": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/es/file/"
    page = client.get("/es/file/").content.decode()
    assert "Lo que vi en la calle" in page
    assert 'value="Parque central"' in page
    assert re.search(r'value="third_party"[^>]*checked', page)
    assert re.search(r'value="asl"[^>]*checked', page) and re.search(r'value="tty"[^>]*checked', page)
    assert not re.search(r'value="interpreter"[^>]*checked', page)
    assert not Complaint.objects.exists()


def test_the_draft_is_used_only_once(client, db):
    client.post("/en/file/", {"narrative": "Draft text", "language": "pl", "switch_language": "1"})
    assert "Draft text" in client.get("/pl/file/").content.decode()
    assert "Draft text" not in client.get("/pl/file/").content.decode()


def test_filed_complaint_and_history_name_the_public_filer(filing):
    response = filing()
    complaint = Complaint.objects.get(reference=shown_reference(response))
    row = complaint.history.get()
    assert row.history_actor == "public filer"
    assert row.history_change_reason == "complaint filed"
    assert complaint.follow_up_code_hash and shown_code(response) not in complaint.follow_up_code_hash
    assert latest_complaint() == complaint


def test_an_upload_cut_off_midway_files_nothing(client, media, evidence_in_tmp):
    body = encode_multipart(BOUNDARY, {"filer_role": "anonymous", "narrative": "Cut off",
                                       "evidence": open(media["clip.mp4"], "rb")})  # noqa: SIM115
    cut = body[: len(body) - 2000]  # the connection dropped before the end of the video
    response = client.generic("POST", "/en/file/", cut, content_type=MULTIPART_CONTENT,
                              **{"wsgi.input": io.BytesIO(cut), "CONTENT_LENGTH": str(len(body))})
    assert "Your files did not arrive completely, so nothing was saved." in response.content.decode()
    assert not Complaint.objects.exists()
    assert stored_files(evidence_in_tmp) == []


def test_behind_a_proxy_filers_are_counted_by_the_forwarded_address(filing, settings):
    settings.INTAKE_COMPLAINTS_PER_HOUR = 1
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    assert filing(HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert filing(HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200  # same proxy, another filer
    assert filing(HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert Complaint.objects.count() == 2


def test_enter_in_a_text_box_keeps_the_answers_quietly(client, db):
    # The switcher's button is the form's first button, so Enter "switches" to the language already shown.
    client.post("/en/file/", {"narrative": "Half written", "language": "en", "switch_language": "1"})
    page = client.get("/en/file/").content.decode()
    assert "Half written" in page
    assert "Your answers are kept in the new language." not in page
    assert not Complaint.objects.exists()


def test_lawyer_advocate_or_guardian_files_as_representative(filing):
    from complaints.models import Complaint

    from .conftest import shown_reference

    response = filing({"filer_role": "representative", "name": "Lee Counsel", "harmed_person_name": "Ana Ruiz"})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    assert complaint.filer_role == Complaint.FilerRole.REPRESENTATIVE
    assert sorted((p.role, p.name, p.is_filer) for p in complaint.parties.all()) == [
        ("harmed", "Ana Ruiz", False), ("representative", "Lee Counsel", True)]


def test_a_recording_can_stand_in_for_the_typed_account(filing, media):
    from complaints.models import Complaint

    from .conftest import shown_reference

    response = filing({"narrative": ""}, files=[media["voice.ogg"]])
    complaint = Complaint.objects.get(reference=shown_reference(response))
    assert complaint.narrative == ""
    assert [e.kind for e in complaint.evidence.all()] == ["audio"]


def test_a_photo_alone_does_not_stand_in_for_the_account(filing, media):
    from complaints.models import Complaint

    response = filing({"narrative": ""}, files=[media["photo.png"]])
    assert "Please tell us what happened." in response.content.decode()
    assert not Complaint.objects.exists()
