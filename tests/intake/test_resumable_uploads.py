"""Resumable uploads (tus 1.0.0): pieces streamed to UPLOAD_TEMP_DIR, size and type checked as they arrive, the
finished file hashed and stored like any upload when the form that names it is filed."""

import base64
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from django.test import Client

from complaints.models import Complaint

from .conftest import shown_reference, stored_files

pytestmark = pytest.mark.django_db

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


@pytest.fixture(autouse=True)
def upload_temp_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")


def create(client, size, name="clip.mp4", **extra):
    metadata = "filename " + base64.b64encode(name.encode()).decode() + ",filetype dmlkZW8vbXA0"
    return client.post("/en/uploads/", b"", content_type="application/octet-stream", HTTP_UPLOAD_LENGTH=str(size),
                       HTTP_UPLOAD_METADATA=metadata, **TUS, **extra)


def patch(client, location, offset, data):
    return client.generic("PATCH", location, data, content_type="application/offset+octet-stream",
                          HTTP_UPLOAD_OFFSET=str(offset), **TUS)


def offset(client, location):
    return int(client.head(location, **TUS)["Upload-Offset"])


def send_in_pieces(client, content, name="clip.mp4", piece=10000):
    location = create(client, len(content), name)["Location"]
    for start in range(0, len(content), piece):
        assert patch(client, location, start, content[start : start + piece]).status_code == 204
    return location.rstrip("/").rsplit("/", 1)[1]


def test_the_endpoint_describes_itself(client):
    response = client.options("/en/uploads/")
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0" and "creation" in response["Tus-Extension"]


def test_a_file_sent_in_pieces_with_a_break_is_filed_with_its_sha256(client, media, evidence_in_tmp, settings):
    content = Path(media["clip.mp4"]).read_bytes()
    location = create(client, len(content))["Location"]
    assert patch(client, location, 0, content[:3000]).status_code == 204
    # The connection dropped: the browser asks how much arrived and carries on from there.
    assert offset(client, location) == 3000
    assert patch(client, location, 3000, content[3000:]).status_code == 204
    upload_id = location.rstrip("/").rsplit("/", 1)[1]
    response = client.post("/en/file/", {"filer_role": "anonymous", "narrative": "Sent ahead", "resumable": upload_id})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    evidence = complaint.evidence.get()
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.original_name == "clip.mp4" and evidence.kind == "video" and evidence.size == len(content)
    assert [p.read_bytes() for p in stored_files(evidence_in_tmp)] == [content]
    assert list((Path(settings.FILE_UPLOAD_TEMP_DIR) / "resumable").glob(f"{upload_id}*")) == []


def test_a_piece_at_the_wrong_offset_is_refused_so_nothing_is_written_twice(client, media):
    content = Path(media["clip.mp4"]).read_bytes()
    location = create(client, len(content))["Location"]
    patch(client, location, 0, content[:3000])
    response = patch(client, location, 0, content[:3000])
    assert response.status_code == 409
    assert offset(client, location) == 3000


def test_an_upload_over_the_size_limit_is_refused_before_any_byte(client, settings):
    settings.EVIDENCE_MAX_FILE_SIZE = 1000
    assert create(client, 1001).status_code == 413


def test_more_bytes_than_announced_are_refused(client, media):
    content = Path(media["clip.mp4"]).read_bytes()
    location = create(client, 100)["Location"]
    assert patch(client, location, 0, content[:200]).status_code == 413
    assert offset(client, location) == 0


def test_a_disallowed_type_is_refused_from_its_first_bytes(client, media, evidence_in_tmp):
    content = b"#!/bin/sh\n" + b"echo nothing to see\n" * 20000
    location = create(client, len(content), "run.sh")["Location"]
    assert patch(client, location, 0, content[:70000]).status_code == 415
    upload_id = location.rstrip("/").rsplit("/", 1)[1]
    response = client.post("/en/file/", {"filer_role": "anonymous", "narrative": "Bad file", "resumable": upload_id})
    assert "Your files did not arrive completely, so nothing was saved." in response.content.decode()
    assert not Complaint.objects.exists() and stored_files(evidence_in_tmp) == []


def test_an_unfinished_upload_files_nothing_and_keeps_the_answers(client, media):
    content = Path(media["clip.mp4"]).read_bytes()
    location = create(client, len(content))["Location"]
    patch(client, location, 0, content[:3000])
    upload_id = location.rstrip("/").rsplit("/", 1)[1]
    response = client.post("/en/file/", {"filer_role": "anonymous", "narrative": "Kept text", "resumable": upload_id})
    assert "Kept text" in response.content.decode()
    assert not Complaint.objects.exists()


def test_another_browser_cannot_see_or_use_an_upload(client, media):
    upload_id = send_in_pieces(client, Path(media["photo.jpg"]).read_bytes(), "photo.jpg")
    stranger = Client()
    assert stranger.head(f"/en/uploads/{upload_id}/", **TUS).status_code == 404
    stranger.post("/en/file/", {"filer_role": "anonymous", "narrative": "Not mine", "resumable": upload_id})
    assert not Complaint.objects.exists()


def test_uploads_need_the_forms_csrf_token(media):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/en/file/")
    assert create(browser, 100).status_code == 403
    token = browser.cookies["csrftoken"].value
    assert create(browser, 100, HTTP_X_CSRFTOKEN=token).status_code == 201


def test_an_upload_keeps_no_address_or_browser(client, media, settings):
    address, agent = "203.0.113.99", "UniqueUploadAgent/1.0"
    location = create(client, 5000, REMOTE_ADDR=address, HTTP_USER_AGENT=agent)["Location"]
    upload_id = location.rstrip("/").rsplit("/", 1)[1]
    kept = (Path(settings.FILE_UPLOAD_TEMP_DIR) / "resumable" / f"{upload_id}.json").read_text()
    assert address not in kept and "UniqueUploadAgent" not in kept


def test_a_refused_form_keeps_the_files_already_sent(client, media):
    upload_id = send_in_pieces(client, Path(media["photo.jpg"]).read_bytes(), "photo.jpg")
    refused = client.post("/en/file/", {"filer_role": "anonymous", "narrative": "", "resumable": upload_id})
    assert f'name="resumable" value="{upload_id}"' in refused.content.decode()
    assert "photo.jpg" in refused.content.decode()
    client.post("/en/file/", {"filer_role": "anonymous", "narrative": "Now with text", "resumable": upload_id})
    assert Complaint.objects.get().evidence.count() == 1


@pytest.mark.parametrize("language, word", [("es", "Enviando"), ("ar", "إرسال"), ("vi", "Đang gửi")])
def test_the_upload_messages_reach_the_page_in_its_language_with_their_placeholders(client, language, word):
    html = client.get(f"/{language}/file/").content.decode()
    texts = json.loads(re.search(r'<script type="application/json" id="upload-texts">(.*?)</script>', html,
                                 re.S).group(1))
    assert word in texts["progress"]
    assert texts["progress"].count("%(percent)s") == 1 and "%%" not in texts["progress"]
    assert texts["left"].count("%(time)s") == 1
    assert 'src="/static/intake/vendor/tus-js-client/tus.min.js"' in html


def test_a_file_sent_ahead_is_added_on_the_follow_up_page(client, filing, media):
    from .conftest import shown_code

    filed = filing({"filer_role": "harmed", "name": "Pat"})
    client.post("/en/follow-up/", {"reference": shown_reference(filed), "code": shown_code(filed)})
    content = Path(media["clip.mp4"]).read_bytes()
    upload_id = send_in_pieces(client, content)
    response = client.post("/en/follow-up/case/", {"action": "evidence", "resumable": upload_id})
    assert "Thank you. Your files were added to your complaint." in response.content.decode()
    assert Complaint.objects.get().evidence.get().sha256 == hashlib.sha256(content).hexdigest()
    again = client.post("/en/follow-up/case/", {"action": "evidence", "resumable": upload_id})
    assert again.status_code == 400  # used up: never added twice
    assert Complaint.objects.get().evidence.count() == 1


def test_a_piece_cut_off_by_a_dropped_connection_keeps_what_arrived(client, media):
    content = Path(media["clip.mp4"]).read_bytes()
    location = create(client, len(content))["Location"]
    arrived = content[:2500]
    client.generic("PATCH", location, arrived, content_type="application/offset+octet-stream",
                   HTTP_UPLOAD_OFFSET="0", **TUS, **{"wsgi.input": io.BytesIO(arrived),
                                                     "CONTENT_LENGTH": str(len(content))})
    assert offset(client, location) == 2500
    assert patch(client, location, 2500, content[2500:]).status_code == 204
    assert offset(client, location) == len(content)
