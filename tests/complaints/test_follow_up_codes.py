"""Follow-up codes are stored as HMAC-SHA256 under a server-side key; old PBKDF2 hashes still work and are upgraded."""

import hashlib
import hmac

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from complaints.checks import check_production_secrets
from complaints.history import recorded
from complaints.models import Complaint
from complaints.services import file_complaint, follow_up_code_matches, normalize_follow_up_code

pytestmark = pytest.mark.django_db


def file_one():
    return file_complaint(narrative="Stopped without a reason.", filer_role="anonymous")


def sign_in(client, complaint, code):
    return client.post("/en/follow-up/", {"reference": complaint.reference, "code": code})


def test_new_code_is_stored_as_hmac_sha256_under_the_configured_key(settings):
    settings.FOLLOW_UP_CODE_KEY = "a-long-random-server-side-key"
    complaint, code = file_one()
    expected = hmac.new(b"a-long-random-server-side-key", normalize_follow_up_code(code).encode(),
                        hashlib.sha256).hexdigest()
    assert complaint.follow_up_code_hash == f"hmac_sha256${expected}"
    assert normalize_follow_up_code(code) not in complaint.follow_up_code_hash


def test_new_code_signs_in_and_a_wrong_code_is_refused(client):
    complaint, code = file_one()
    assert sign_in(client, complaint, code.lower()).status_code == 302
    wrong = ("B" if code[0] != "B" else "C") + code[1:]
    assert sign_in(client, complaint, wrong).status_code == 403
    assert not follow_up_code_matches(complaint, "")
    assert not follow_up_code_matches(Complaint(), code)  # no complaint with that reference


def test_code_stops_matching_when_the_key_changes(settings):
    complaint, code = file_one()
    assert follow_up_code_matches(complaint, code)
    settings.FOLLOW_UP_CODE_KEY = "another-key"
    assert not follow_up_code_matches(complaint, code)


def test_old_pbkdf2_hash_still_signs_in_and_is_re_stored_as_hmac(client):
    complaint, code = file_one()
    raw = normalize_follow_up_code(code)
    # As stored before HMAC: a Django PBKDF2 password hash (fewer iterations here; the hash records its count).
    old_hash = PBKDF2PasswordHasher().encode(raw, "somesalt12345678", iterations=1000)
    with recorded(label="test", reason="as stored before HMAC"):
        complaint.follow_up_code_hash = old_hash
        complaint.save()
    history_rows = complaint.history.count()

    assert sign_in(client, complaint, "wrong-" + code[6:]).status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).follow_up_code_hash == old_hash  # a wrong code upgrades nothing

    assert sign_in(client, complaint, code).status_code == 302
    complaint.refresh_from_db()
    assert complaint.follow_up_code_hash.startswith("hmac_sha256$")
    assert complaint.history.count() == history_rows + 1
    assert complaint.history.first().history_change_reason == "follow-up code re-stored as HMAC-SHA256"
    client.logout()
    assert sign_in(client, complaint, code).status_code == 302  # and the HMAC form opens it from now on


def test_deployment_check_requires_a_follow_up_code_key(settings):
    settings.DEBUG = False
    settings.FOLLOW_UP_CODE_KEY = ""
    assert "complaints.E003" in [error.id for error in check_production_secrets(None)]
    settings.FOLLOW_UP_CODE_KEY = "set"
    assert "complaints.E003" not in [error.id for error in check_production_secrets(None)]
