"""/healthz: 200 'ok' when the database and the evidence storage answer, 503 with one word when not."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthy_says_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_unreachable_evidence_storage_says_unavailable_without_details(client, settings, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the evidence folder should be")
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "complaints.storage.ImmutableFileSystemStorage", "OPTIONS": {"location": str(blocker)}}}
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"unavailable\n")
    assert "evidence storage" in caplog.text  # the reason is in the server's log, not the answer


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/").status_code == 301
