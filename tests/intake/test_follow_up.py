"""The follow-up portal: reference + code open the complaint; everything else needs nothing more."""

import re

import pytest

from complaints.history import recorded
from complaints.models import Complaint, Evidence, Message

from .conftest import shown_code, shown_reference

pytestmark = pytest.mark.django_db

NOT_FOUND = "We could not find a complaint with that reference number and follow-up code."


@pytest.fixture
def filed(filing):
    response = filing({"filer_role": "harmed", "name": "Pat"})
    return Complaint.objects.get(reference=shown_reference(response)), shown_code(response)


def open_case(client, complaint, code, **extra):
    return client.post("/en/follow-up/", {"reference": complaint.reference, "code": code}, **extra)


@pytest.mark.parametrize("typed", [str.lower, lambda c: c.replace("-", " "), lambda c: c.replace("-", ""),
                                   lambda c: "  " + c.lower() + " "])
def test_code_is_accepted_with_or_without_spaces_dashes_or_capitals(client, filed, typed):
    complaint, code = filed
    response = open_case(client, complaint, typed(code))
    assert response.status_code == 302
    page = client.get("/en/follow-up/case/")
    assert page.status_code == 200
    assert complaint.reference in page.content.decode()
    assert "Received: your complaint is waiting to be reviewed." in page.content.decode()


def test_case_page_needs_the_code(client, filed):
    assert client.get("/en/follow-up/case/")["Location"] == "/en/follow-up/"


def test_wrong_code_and_unknown_reference_get_the_same_answer(client, filed):
    complaint, _code = filed
    wrong_code = client.post("/en/follow-up/", {"reference": complaint.reference, "code": "ABCD-EFGH-JKMN-PQRS-TVWX"})
    wrong_reference = client.post("/en/follow-up/", {"reference": "C-1999-999999", "code": "ABCD-EFGH-JKMN-PQRS-TVWX"})
    assert wrong_code.status_code == wrong_reference.status_code == 403
    assert NOT_FOUND in wrong_code.content.decode()
    def without_csrf(response):
        # the token, what was typed and the per-response CSP nonce
        return re.sub(r'(value|nonce)="[^"]*"', "", response.content.decode())

    assert without_csrf(wrong_code) == without_csrf(wrong_reference)
    assert "ABCD-EFGH" not in wrong_code.content.decode()  # a typed code is never written back into the page


def test_strangers_wrong_codes_against_a_reference_never_lock_out_its_owner(client, filed, settings):
    settings.FOLLOW_UP_FAILURES_PER_ADDRESS = 3
    complaint, code = filed
    for n in range(39):  # from 13 addresses, each up to its own limit
        assert open_case(client, complaint, "WRONG", REMOTE_ADDR=f"10.0.{n // 3}.1").status_code == 403
    assert open_case(client, complaint, code, REMOTE_ADDR="10.0.0.1").status_code == 429  # a stranger's address
    assert open_case(client, complaint, code, REMOTE_ADDR="192.0.2.50").status_code == 302  # the owner's


def test_a_right_code_does_not_use_up_the_addresss_wrong_tries(client, filed, settings):
    settings.FOLLOW_UP_FAILURES_PER_ADDRESS = 2
    complaint, code = filed
    for _ in range(5):
        assert open_case(client, complaint, code).status_code == 302
    assert open_case(client, complaint, "WRONG").status_code == 403


def test_a_nul_byte_in_a_reference_or_code_is_a_bad_request_not_a_server_error(client, filed):
    complaint, code = filed
    for url in ("/en/receipt/pdf/", "/en/receipt/email/", "/en/receipt/"):
        response = client.post(url, {"reference": "C-2026\x00-1", "code": code})
        assert response.status_code == 400, url
        assert NOT_FOUND in response.content.decode()
        assert client.post(url, {"reference": complaint.reference, "code": "AB\x00CD"}).status_code == 400
    login = client.post("/en/follow-up/", {"reference": "C-2026\x00-1", "code": code})
    assert login.status_code == 400


def test_a_missing_reference_costs_the_same_hashing_as_a_wrong_code(client, monkeypatch):
    from complaints import codes

    response = client.post("/en/file/", {"filer_role": "anonymous", "narrative": "Timing"})
    reference = shown_reference(response)
    client.post("/en/follow-up/", {"reference": "C-1999-999999", "code": "ABCD-EFGH-JKMN-PQRS-TVWX"})  # warm-up
    calls = []
    real_hash_code = codes.hash_code

    def counting_hash_code(code):  # the real keyed hash, counted
        calls.append(code)
        return real_hash_code(code)

    monkeypatch.setattr(codes, "hash_code", counting_hash_code)
    costs = {}
    for name, typed_reference in (("wrong code", reference), ("missing reference", "C-1999-999998")):
        calls.clear()
        client.post("/en/follow-up/", {"reference": typed_reference, "code": "ABCD-EFGH-JKMN-PQRS-TVWX"})
        costs[name] = len(calls)
    assert costs == {"wrong code": 1, "missing reference": 1}


def test_wrong_codes_are_limited_per_address_across_references(client, filed, settings):
    settings.FOLLOW_UP_FAILURES_PER_ADDRESS = 3
    complaint, code = filed
    for n in range(3):
        client.post("/en/follow-up/", {"reference": f"C-2020-00000{n}", "code": "WRONG"})
    assert open_case(client, complaint, code).status_code == 429
    assert open_case(client, complaint, code, REMOTE_ADDR="10.1.1.1").status_code == 302


def test_filer_adds_information(client, filed):
    complaint, code = filed
    open_case(client, complaint, code)
    response = client.post("/en/follow-up/case/", {"action": "message", "body": "I remembered the car number: 31."})
    assert "Your message was sent." in response.content.decode()
    message = complaint.messages.get()
    assert message.direction == Message.Direction.FROM_COMPLAINANT
    assert message.body == "I remembered the car number: 31."
    assert message.history.get().history_actor == "public filer"


def test_filer_reads_and_answers_the_investigator(client, filed, make_user):
    complaint, code = filed
    investigator = make_user("investigator")
    with recorded(by=investigator, reason="question to complainant"):
        question = Message.objects.create(complaint=complaint, direction="to_complainant", author=investigator,
                                          body="Which bus stop was it?")
    open_case(client, complaint, code)
    page = client.get("/en/follow-up/case/").content.decode()
    assert "Which bus stop was it?" in page
    assert investigator.username not in page  # staff names are never shown to the public
    question.refresh_from_db()
    assert question.read_at is not None
    client.post("/en/follow-up/case/", {"action": "message", "body": "The one on 5th Street."})
    assert list(complaint.messages.values_list("direction", flat=True)) == ["to_complainant", "from_complainant"]


def test_filer_adds_evidence_later(client, filed, media):
    complaint, code = filed
    open_case(client, complaint, code)
    with open(media["photo.jpg"], "rb") as photo:
        response = client.post("/en/follow-up/case/", {"action": "evidence", "evidence": photo})
    assert "Your files were added" in response.content.decode()
    evidence = complaint.evidence.get()
    assert (evidence.kind, evidence.original_name, evidence.submitted_by_public) == ("photo", "photo.jpg", True)


def test_disallowed_file_added_later_is_refused(client, filed, media, evidence_in_tmp):
    complaint, code = filed
    open_case(client, complaint, code)
    with open(media["drawing.svg"], "rb") as svg:
        response = client.post("/en/follow-up/case/", {"action": "evidence", "evidence": svg})
    assert "is not a type of file we can accept" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not evidence_in_tmp.exists() or not any(p.is_file() for p in evidence_in_tmp.rglob("*"))


def test_retaliation_report_flags_the_complaint_urgent(client, filed):
    complaint, code = filed
    assert not complaint.urgent
    open_case(client, complaint, code)
    response = client.post("/en/follow-up/case/", {"action": "retaliation",
                                                   "description": "A patrol car waits outside my house."})
    assert "marked urgent" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.urgent
    report = complaint.retaliation_reports.get()
    assert report.source == "portal"
    assert report.description == "A patrol car waits outside my house."


def test_signing_out_closes_the_case_on_this_device(client, filed):
    complaint, code = filed
    open_case(client, complaint, code)
    client.post("/en/follow-up/sign-out/")
    assert client.get("/en/follow-up/case/").status_code == 302


def test_files_added_later_count_toward_the_per_complaint_limit(client, filing, media, settings):
    settings.EVIDENCE_MAX_FILES_PER_COMPLAINT = 2
    response = filing({"filer_role": "harmed"}, files=[media["photo.jpg"]])
    complaint, code = Complaint.objects.get(reference=shown_reference(response)), shown_code(response)
    open_case(client, complaint, code)
    with open(media["photo.png"], "rb") as one, open(media["photo.webp"], "rb") as two:
        refused = client.post("/en/follow-up/case/", {"action": "evidence", "evidence": [one, two]})
    assert "already has the most files we can take online (2)" in refused.content.decode()
    assert complaint.evidence.count() == 1


def test_files_per_address_per_hour_are_limited(client, filed, media, settings):
    settings.INTAKE_FILES_PER_HOUR = 1
    complaint, code = filed
    open_case(client, complaint, code)
    with open(media["photo.png"], "rb") as photo:
        assert client.post("/en/follow-up/case/", {"action": "evidence", "evidence": photo}).status_code == 200
    with open(media["photo.jpg"], "rb") as photo:
        limited = client.post("/en/follow-up/case/", {"action": "evidence", "evidence": photo})
    assert limited.status_code == 429
    assert complaint.evidence.count() == 1
