"""One filing per press: a form's one-time token files at most one complaint, and a second press shows the first
receipt to the browser that filed it, never its code to anyone else."""

import threading
import time

import pytest
from django.test import Client

from complaints.models import Complaint
from intake import submissions

from .conftest import shown_code, shown_reference


def form_token(client):
    page = client.get("/en/file/").content.decode()
    return page.split('name="submission" value="')[1].split('"')[0]


def data(token, narrative="Once only"):
    return {"filer_role": "anonymous", "narrative": narrative, "submission": token}


@pytest.mark.django_db
def test_sending_the_same_form_again_shows_the_first_receipt_and_files_once(client):
    token = form_token(client)
    first = client.post("/en/file/", data(token))
    again = client.post("/en/file/", data(token, narrative="Once only, sent again after going back"))
    assert Complaint.objects.count() == 1
    assert shown_reference(again) == shown_reference(first)
    assert shown_code(again) == shown_code(first)  # a double click never costs the filer the code
    assert "We received this form before, so we did not file it a second time." in again.content.decode()


@pytest.mark.django_db
def test_back_to_a_reloaded_form_with_a_new_token_and_the_same_account_files_once(client):
    first = client.post("/en/file/", data(form_token(client), narrative="Pushed  at the station"))
    again = client.post("/en/file/", data(form_token(client), narrative="Pushed at the station "))
    assert Complaint.objects.count() == 1
    assert shown_code(again) == shown_code(first)
    other_account = client.post("/en/file/", data(form_token(client), narrative="Another night, another stop"))
    assert Complaint.objects.count() == 2
    assert shown_reference(other_account) != shown_reference(first)


@pytest.mark.django_db
def test_the_same_account_from_another_browser_is_filed_as_its_own_complaint(client):
    client.post("/en/file/", data(form_token(client), narrative="We both saw it"))
    neighbour = Client()
    neighbour.post("/en/file/", data(form_token(neighbour), narrative="We both saw it"))
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
def test_another_browser_with_the_same_token_gets_the_reference_but_never_the_code(client):
    token = form_token(client)
    first = client.post("/en/file/", data(token))
    stranger = Client()
    stranger.get("/en/file/")
    again = stranger.post("/en/file/", data(token))
    assert Complaint.objects.count() == 1
    html = again.content.decode()
    assert shown_reference(first).split("-")[-1] in html
    assert shown_code(first) not in html
    assert "For your safety we cannot show it again." in html


@pytest.mark.django_db
def test_the_code_is_not_shown_again_once_the_short_window_has_passed(client, monkeypatch):
    token = form_token(client)
    first = client.post("/en/file/", data(token))
    later = time.time() + submissions.SHOW_CODE_AGAIN_SECONDS + 1
    monkeypatch.setattr(submissions.time, "time", lambda: later)
    again = client.post("/en/file/", data(token))
    assert Complaint.objects.count() == 1
    assert shown_code(first) not in again.content.decode()
    assert "For your safety we cannot show it again." in again.content.decode()


@pytest.mark.django_db
def test_the_code_is_kept_only_sealed_in_the_cache(client):
    from django.core.cache import cache

    token = form_token(client)
    code = shown_code(client.post("/en/file/", data(token)))
    entries = [cache.get(submissions._cache_key(token)), cache.get(submissions._sealed_key(token))]
    assert entries[0]["state"] == "filed" and "sealed" in entries[1]
    assert code not in repr(entries) and code.encode().hex() not in repr(entries)


@pytest.mark.django_db
def test_an_invalid_form_leaves_the_token_usable(client):
    token = form_token(client)
    refused = client.post("/en/file/", data(token, narrative=""))
    assert refused.status_code == 200 and not Complaint.objects.exists()
    assert client.post("/en/file/", data(token)).status_code == 200
    assert Complaint.objects.count() == 1


def test_a_token_is_claimed_by_exactly_one_of_many_presses_arriving_together(shared_cache):
    token = "double-click-token"
    claimed = []
    start = threading.Barrier(20)

    def press():
        start.wait()
        claimed.append(submissions.reserve(token))

    threads = [threading.Thread(target=press) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [False] * 19 + [True]
