"""Before upload, filers are told that photos and videos can carry location, device and author data, and offered
to have it removed (issue 15, item 6). The choice works without JavaScript, in every language."""

import pytest

from complaints.models import Complaint

from .conftest import shown_code, shown_reference

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language,words", [
    ("en", "Photos, videos and recordings can carry hidden details"),
    ("es", "Las fotos, los videos y las grabaciones pueden llevar datos ocultos"),
    ("ar", "قد تحمل الصور ومقاطع الفيديو والتسجيلات بيانات مخفية"),
])
def test_filing_form_explains_the_hidden_data_and_offers_to_remove_it_ticked(client, language, words):
    html = client.get(f"/{language}/file/").content.decode()
    assert words in html
    assert 'type="checkbox" name="remove_metadata"' in html
    box = html[html.index('name="remove_metadata"') - 200: html.index('name="remove_metadata"') + 200]
    assert "checked" in box
    assert 'aria-describedby="id_remove_metadata_helptext"' in box


def test_follow_up_page_offers_the_same_choice(client, filing):
    response = filing({"filer_role": "harmed", "name": "Pat"}, language="uk")
    reference, code = shown_reference(response), shown_code(response)
    client.post("/uk/follow-up/", {"reference": reference, "code": code})
    html = client.get("/uk/follow-up/case/").content.decode()
    assert "Фотографії, відео та записи можуть містити приховані дані" in html
    assert 'name="remove_metadata"' in html


def test_evidence_added_later_to_an_anonymous_complaint_is_sealed_even_unticked(client, filing, media):
    response = filing({"filer_role": "anonymous"})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    client.post("/en/follow-up/", {"reference": complaint.reference, "code": shown_code(response)})
    with open(media["photo.jpg"], "rb") as photo:
        added = client.post("/en/follow-up/case/", {"action": "evidence", "evidence": photo})
    assert "Your files were added" in added.content.decode()
    assert complaint.evidence.get().original_sealed


def test_a_named_filer_who_unticks_the_box_adds_evidence_unsealed(client, filing, media):
    response = filing({"filer_role": "harmed", "name": "Pat"})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    client.post("/en/follow-up/", {"reference": complaint.reference, "code": shown_code(response)})
    with open(media["photo.jpg"], "rb") as photo:
        client.post("/en/follow-up/case/", {"action": "evidence", "evidence": photo})
    with open(media["clip.mp4"], "rb") as clip:
        client.post("/en/follow-up/case/", {"action": "evidence", "evidence": clip, "remove_metadata": "on"})
    assert dict(complaint.evidence.values_list("original_name", "original_sealed")) == {
        "photo.jpg": False, "clip.mp4": True}


def test_an_unticked_box_stays_unticked_across_a_language_switch(client):
    client.post("/en/file/", {"filer_role": "harmed", "narrative": "Typed.", "switch_language": "1",
                              "language": "es"})
    html = client.get("/es/file/").content.decode()
    box = html[html.index('name="remove_metadata"') - 200: html.index('name="remove_metadata"') + 200]
    assert "checked" not in box
