"""Evidence is served only through the authorised view, every request is logged, and Range works for video."""

import pytest

from complaints.models import Evidence, EvidenceAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(complaint_with_everything):
    return Evidence.objects.get(complaint=complaint_with_everything)


def accesses(evidence, user):
    return list(EvidenceAccess.objects.filter(evidence=evidence, user=user).values_list("action", flat=True))


def body(response):
    return b"".join(response.streaming_content)


def test_intake_coordinator_plays_video_and_each_request_is_logged(client, team, evidence):
    user = team["intake"]
    client.force_login(user)
    response = client.get(f"/staff/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert body(response) == b"1234"
    assert response["Accept-Ranges"] == "bytes" and response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith("inline")
    assert accesses(evidence, user) == ["stream"]


def test_range_requests_get_partial_content(client, team, evidence):
    client.force_login(team["supervisor"])
    response = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_RANGE="bytes=1-2")
    assert response.status_code == 206
    assert body(response) == b"23"
    assert response["Content-Range"] == "bytes 1-2/4" and response["Content-Length"] == "2"
    suffix = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_RANGE="bytes=-3")
    assert suffix.status_code == 206 and body(suffix) == b"234"
    open_ended = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_RANGE="bytes=2-")
    assert body(open_ended) == b"34"
    beyond = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_RANGE="bytes=10-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == "bytes */4"
    assert len(accesses(evidence, team["supervisor"])) == 4


def test_download_is_logged_as_download(client, team, evidence):
    client.force_login(team["auditor"])
    response = client.get(f"/staff/evidence/{evidence.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and "clip.mp4" in response["Content-Disposition"]
    assert accesses(evidence, team["auditor"]) == ["download"]


@pytest.mark.parametrize("who", ["POST liaison", "administrator", "investigator"])
def test_others_get_nothing_and_nothing_is_logged(client, team, evidence, who):
    client.force_login(team[who])
    before = EvidenceAccess.objects.count()
    response = client.get(f"/staff/evidence/{evidence.pk}/")
    assert response.status_code in (403, 404)
    assert EvidenceAccess.objects.count() == before


def test_logged_out_is_sent_to_sign_in(client, evidence):
    response = client.get(f"/staff/evidence/{evidence.pk}/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_case_page_never_shows_the_storage_path(client, team, evidence, complaint_with_everything, evidence_in_tmp):
    client.force_login(team["intake"])
    page = client.get(f"/staff/cases/{complaint_with_everything.reference}/").content.decode()
    assert f"/staff/evidence/{evidence.pk}/" in page and "<video" in page
    assert str(evidence_in_tmp) not in page and "/evidence/clip" not in page
    assert "The officer pushed me and took my phone." in page
    assert "El oficial..." in page and "A patrol car parks outside my house every night." in page
