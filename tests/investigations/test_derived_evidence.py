"""Staff play the derived copy, see the processing state, and can still download the original; quarantined
files are never served inline."""

import pytest
import requests

from complaints.models import EvidenceAccess
from complaints.processing import process_now
from tests.servers import hevc_mov

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def processed_video(attach, settings, tmp_path):
    settings.EVIDENCE_SCAN = "off"
    original = attach(hevc_mov(tmp_path / "IMG_0007.MOV", seconds=1))
    process_now(original.pk)
    return original


def test_case_page_plays_the_playable_copy_with_its_poster_and_offers_the_original(client, team, processed_video):
    client.force_login(team["intake"])
    derived = processed_video.derived
    page = client.get(f"/staff/cases/{processed_video.complaint.reference}/").content.decode()
    assert f'src="/staff/evidence/derived/{derived["playback"].pk}/"' in page
    assert f'poster="/staff/evidence/derived/{derived["poster"].pk}/"' in page
    assert f'href="/staff/evidence/{processed_video.pk}/download/"' in page
    assert "hevc / aac" in page and "not scanned for malware" in page


def test_playable_copy_is_served_with_range_and_logged_on_the_original(client, team, processed_video):
    client.force_login(team["supervisor"])
    copy = processed_video.derived["playback"]
    response = client.get(f"/staff/evidence/derived/{copy.pk}/", HTTP_RANGE="bytes=0-7")
    assert response.status_code == 206 and response["Content-Type"] == "video/mp4"
    assert body(response)[4:8] == b"ftyp"
    assert list(EvidenceAccess.objects.filter(evidence=processed_video, user=team["supervisor"])
                .values_list("action", flat=True)) == ["stream"]


@pytest.mark.parametrize("who", ["POST liaison", "administrator", "investigator"])
def test_derived_files_follow_the_originals_rule(client, team, processed_video, who):
    client.force_login(team[who])
    response = client.get(f"/staff/evidence/derived/{processed_video.derived['poster'].pk}/")
    assert response.status_code in (403, 404)
    assert not EvidenceAccess.objects.filter(user=team[who]).exists()


def test_quarantined_file_is_not_played_and_only_downloads(client, team, attach, clamd, infected_file):
    original = attach(infected_file)
    process_now(original.pk)
    client.force_login(team["intake"])
    page = client.get(f"/staff/cases/{original.complaint.reference}/").content.decode()
    assert "matched the malware signature" in page
    assert f'src="/staff/evidence/{original.pk}/"' not in page
    response = client.get(f"/staff/evidence/{original.pk}/")
    assert response["Content-Disposition"].startswith("attachment")


def test_staff_play_through_a_short_lived_presigned_url_that_seeks(client, team, bucket, attach, settings,
                                                                    tmp_path):
    settings.EVIDENCE_SCAN = "off"
    original = attach(hevc_mov(tmp_path / "IMG_0102.MOV", seconds=1))
    process_now(original.pk)
    client.force_login(team["intake"])
    response = client.get(f"/staff/evidence/derived/{original.derived['playback'].pk}/")
    assert response.status_code == 302
    url = response["Location"]
    assert "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
    partial = requests.get(url, headers={"Range": "bytes=4-7"}, timeout=10)
    assert partial.status_code == 206 and partial.content == b"ftyp"
    assert partial.headers["Content-Type"] == "video/mp4"
    assert requests.get(url.split("?")[0], timeout=10).status_code == 403  # never without the signature
