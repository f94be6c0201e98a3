"""The case file: the whole case as a PDF, logged, from the same history as the staff case page."""

import hashlib

import pytest
from django.utils import translation

from complaints import roles
from complaints.history import recorded
from complaints.models import Evidence
from investigations.models import CaseFileExport
from tests.factories import decide, pdf_text, squeezed

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_with_evidence(file_case, team, certified):
    case = file_case(categories=("excessive-force",))
    with recorded(label="test", reason="evidence for the case file"):
        evidence = Evidence(complaint=case.complaint, original_name="dashcam.mp4", mime_type="video/mp4",
                            kind="video", size=4, sha256=hashlib.sha256(b"1234").hexdigest())
        evidence.file.name = "dashcam.mp4"
        evidence.save()
    decide(case, team, certified, outcome="suspension", days=15)
    case.refresh_from_db()
    return case


def case_file_url(case):
    return f"/staff/cases/{case.complaint.reference}/case-file.pdf"


def test_assigned_investigator_exports_the_whole_case_file(client, team, case_with_evidence):
    case = case_with_evidence
    client.force_login(team["investigator"])

    response = client.get(case_file_url(case))

    assert response.status_code == 200
    log = CaseFileExport.objects.get()
    assert (log.investigation, log.exported_by) == (case, team["investigator"])
    assert log.sha256 == hashlib.sha256(response.content).hexdigest() == response["X-Content-SHA256"]
    text = pdf_text(response.content)
    flat = squeezed(text)
    assert case.complaint.reference in text
    assert "Rosa Díaz" in text and "Sam Lee" in text
    assert "555-0101" in text  # investigators may see contact details
    assert "Too much force was used" in text and "Sustained" in text
    assert "approved" in text  # the supervisor's review
    assert "Suspension,15days" in flat
    assert "dashcam.mp4" in text
    assert hashlib.sha256(b"1234").hexdigest() in flat
    assert "investigation started" in text and "triaged: ok" in text  # timeline with reasons
    assert "final discipline for" in text
    assert "evidence for the case file" in text
    assert "il-a1-suspension-10-days" in flat  # the referral it gave rise to
    assert log.chain_head in flat


def test_supervisor_exports_any_case_file(client, team, case_with_evidence):
    client.force_login(team["supervisor"])

    assert client.get(case_file_url(case_with_evidence)).status_code == 200
    assert CaseFileExport.objects.get().exported_by == team["supervisor"]


@pytest.mark.parametrize("who", ["other investigator", roles.POST_LIAISON, roles.CHIEF, roles.AUDITOR,
                                 roles.INTAKE_COORDINATOR])
def test_a_forbidden_case_file_answers_like_a_missing_one(client, team, case_with_evidence, who):
    client.force_login(team[who])

    forbidden = client.get(case_file_url(case_with_evidence))
    missing = client.get("/staff/cases/C-1999-000001/case-file.pdf")

    assert forbidden.status_code == missing.status_code == 404
    assert CaseFileExport.objects.count() == 0


def test_the_case_file_is_printed_in_the_staff_members_language(client, team, case_with_evidence):
    client.force_login(team["supervisor"])

    with translation.override("en"):  # the request activates Spanish; later tests get English back
        response = client.get(case_file_url(case_with_evidence), HTTP_ACCEPT_LANGUAGE="es")

    text = pdf_text(response.content)
    assert "Expediente del caso" in text and "Cronología" in text
    assert CaseFileExport.objects.get().language == "es"
