"""Evidence staff gather (files and physical items) and its chain of custody, through HTTP as each role."""

import datetime
import hashlib
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.exceptions import PurgeRefused
from complaints.history import recorded
from complaints.models import CustodyRecord, Evidence, EvidenceProcessing, PhysicalEvidence
from complaints.processing import process_now
from investigations import queries, services
from tests.factories import pdf_text, squeezed, walk

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def bwc_clip(tmp_path_factory):
    """A second of real H.264 video, as the evidence custodian exports body-worn camera footage."""
    path = tmp_path_factory.mktemp("bwc") / "bwc-2147.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=176x144:rate=10",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path)], check=True)
    return path.read_bytes()


@pytest.fixture
def working(case, team):
    return walk(case, team, "investigating")


def url(case, what):
    return f"/staff/cases/{case.complaint.reference}/add/{what}/"


def upload(client, case, content=PDF, name="report.pdf", **fields):
    data = {"source": "report", "received_from_name": "Records unit, Sgt. Ruiz", "description": "Arrest report",
            "file": SimpleUploadedFile(name, content), **fields}
    return client.post(url(case, "evidence_file"), data)


def test_investigator_adds_body_worn_camera_footage_with_its_receipt_and_it_is_processed(client, team, working,
                                                                                         bwc_clip, settings):
    settings.EVIDENCE_SCAN = "off"  # scanning itself is proven with a real clamd in tests/complaints
    client.force_login(team["investigator"])
    received = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = upload(client, working, bwc_clip, "bwc-2147.mp4", source="body_worn_camera",
                      received_from_name="Evidence custodian J. Park", received_at=received,
                      description="Officer Patrol's camera, 21:40-21:52", notes="Exported from the BWC system")
    assert response.status_code == 302
    evidence = Evidence.objects.get(complaint=working.complaint, original_name="bwc-2147.mp4")
    assert (evidence.source, evidence.kind, evidence.submitted_by_public) == ("body_worn_camera", "video", False)
    assert evidence.submitted_by == team["investigator"]
    assert evidence.sha256 == hashlib.sha256(bwc_clip).hexdigest()
    [receipt] = evidence.custody.all()
    assert (receipt.kind, receipt.from_name, receipt.to_user) == ("received", "Evidence custodian J. Park",
                                                                  team["investigator"])
    assert EvidenceProcessing.objects.get(evidence=evidence).state == "queued"  # the public files' pipeline
    process_now(evidence.pk)
    assert EvidenceProcessing.objects.get(evidence=evidence).state == "ready"
    assert {"poster", "thumbnail"} <= set(evidence.derived)  # H.264 plays as it is: no playable copy needed
    page = client.get(f"/staff/cases/{working.complaint.reference}/").content.decode()
    assert f"body-worn camera footage, gathered by {team['investigator'].get_username()}" in page
    assert "Evidence custodian J. Park" in page and "Exported from the BWC system" in page


def test_check_out_to_a_reviewer_and_return_are_in_the_chain_the_case_file_and_the_timeline(client, team, working):
    client.force_login(team["investigator"])
    assert upload(client, working).status_code == 302
    evidence = Evidence.objects.get(complaint=working.complaint, original_name="report.pdf")
    out = client.post(url(working, "custody"), {"evidence": evidence.pk, "kind": "checked_out",
                                                "to_user": team["supervisor"].pk, "notes": "For the review"})
    assert out.status_code == 302
    back = client.post(url(working, "custody"), {"evidence": evidence.pk, "kind": "returned",
                                                 "to_name": "Property room", "notes": "Review done"})
    assert back.status_code == 302
    chain = list(evidence.custody.order_by("at", "pk"))
    assert [r.kind for r in chain] == ["received", "checked_out", "returned"]
    assert (chain[1].from_user, chain[1].to_user) == (team["investigator"], team["supervisor"])
    assert (chain[2].from_user, chain[2].to_name) == (team["supervisor"], "Property room")
    client.force_login(team["supervisor"])
    text = squeezed(pdf_text(client.get(f"/staff/cases/{working.complaint.reference}/case-file.pdf").content))
    assert "Chainofcustody" in text and "checkedout" in text and "Propertyroom" in text and "Forthereview" in text
    kinds = [e["kind"] for e in queries.timeline(working)]
    assert kinds.count("custody") == 3


def test_physical_item_moves_and_its_seal_is_checked(client, team, working):
    client.force_login(team["investigator"])
    response = client.post(url(working, "physical_evidence"), {
        "description": "Complainant's broken phone", "source": "other", "storage_location": "Locker 12",
        "seal_number": "S-0042", "received_from_name": "Rosa Díaz (complainant)"})
    assert response.status_code == 302
    item = PhysicalEvidence.objects.get(complaint=working.complaint)
    unanswered = client.post(url(working, "custody"), {"item": item.pk, "kind": "checked", "notes": "Looked"})
    assert unanswered.status_code == 400 and "Say whether the seal was intact." in unanswered.content.decode()
    assert "Looked" in unanswered.content.decode()  # what was typed is kept
    assert client.post(url(working, "custody"), {"item": item.pk, "kind": "checked", "seal_intact": "yes"}
                       ).status_code == 302
    assert client.post(url(working, "custody"), {"item": item.pk, "kind": "transferred", "to_name": "Crime lab",
                                                 "location": "Crime lab, bench 3"}).status_code == 302
    item.refresh_from_db()
    assert item.storage_location == "Crime lab, bench 3"
    assert [h.storage_location for h in item.history.order_by("history_id")] == ["Locker 12", "Crime lab, bench 3"]
    check = item.custody.get(kind="checked")
    assert check.seal_intact is True and check.to_person == ""
    page = client.get(f"/staff/cases/{working.complaint.reference}/").content.decode()
    assert "S-0042" in page and "seal intact" in page and "Crime lab" in page


def test_supervisor_may_add_evidence_but_read_only_roles_and_strangers_may_not(client, team, working):
    client.force_login(team["supervisor"])
    assert upload(client, working).status_code == 302
    for who, status in [("chief", 403), ("auditor", 403), ("other investigator", 404), ("intake", 404)]:
        client.force_login(team[who])
        assert upload(client, working, name=f"{who}.pdf").status_code == status, who
    assert Evidence.objects.filter(complaint=working.complaint).count() == 1


def test_accused_staff_never_add_evidence_or_record_custody(client, team, working, roster, make_user):
    accused = make_user("supervisor", username="sgt-accused")
    with recorded(label="test", reason="the accused officer's staff account"):
        officer = roster["officer"]
        officer.user = accused
        officer.save()
    client.force_login(accused)
    assert upload(client, working).status_code == 404
    assert client.get(f"/staff/cases/{working.complaint.reference}/").status_code == 404
    assert not Evidence.objects.filter(complaint=working.complaint).exists()


def test_a_refused_file_keeps_the_form_and_stores_nothing(client, team, working):
    client.force_login(team["investigator"])
    response = upload(client, working, b"<html><script>alert(1)</script></html>", "report.pdf",
                      description="Typed description kept")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This file cannot be added" in page and "Typed description kept" in page
    assert not Evidence.objects.filter(complaint=working.complaint).exists()


def test_received_from_is_required_and_the_form_is_kept(client, team, working):
    client.force_login(team["investigator"])
    response = upload(client, working, received_from_name="", description="No giver named")
    assert response.status_code == 400
    assert "Say whom the evidence was received from." in response.content.decode()
    assert "No giver named" in response.content.decode()


def test_custody_of_another_cases_evidence_is_refused(client, team, working, file_case):
    other = walk(file_case(), team, "investigating")
    services.add_physical_evidence(other, by=team["investigator"], description="Jacket", storage_location="L1",
                                   source="other", received_from_name="Someone")
    item = PhysicalEvidence.objects.get(complaint=other.complaint)
    client.force_login(team["investigator"])
    response = client.post(url(working, "custody"), {"item": item.pk, "kind": "transferred", "to_name": "Lab"})
    assert response.status_code == 400 and "That evidence is not part of this case." in response.content.decode()
    assert item.custody.count() == 1


def test_future_times_and_bad_dates_are_refused_without_a_500(client, team, working):
    client.force_login(team["investigator"])
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert upload(client, working, received_at=future).status_code == 400
    assert upload(client, working, received_at="not a date").status_code == 400
    assert not Evidence.objects.filter(complaint=working.complaint).exists()


def test_closed_case_takes_no_new_evidence_but_custody_still_moves(client, team, working):
    services.add_physical_evidence(working, by=team["investigator"], description="DVD", storage_location="L2",
                                   source="body_worn_camera", received_from_name="Evidence custodian")
    walk_to_closed(working, team)
    client.force_login(team["investigator"])
    assert upload(client, working).status_code == 409
    item = PhysicalEvidence.objects.get(complaint=working.complaint)
    moved = client.post(url(working, "custody"), {"item": item.pk, "kind": "transferred", "to_name": "Court clerk"})
    assert moved.status_code == 302


def walk_to_closed(case, team):
    from tests.factories import unfounded

    for allegation in case.complaint.allegations.all():
        services.record_finding(case, allegation, unfounded(), by=team["investigator"])
    services.begin_retaliation_check(case, by=team["investigator"])
    services.record_retaliation_check(case, by=team["investigator"],
                                      answers={p.pk: {"asked": True} for p in services.identified_people(case)})
    services.submit_for_review(case, by=team["investigator"])
    services.approve_findings(case, by=team["supervisor"])
    services.close_investigation(case, by=team["supervisor"])


def test_custody_records_are_never_removed(team, working):
    item = services.add_physical_evidence(working, by=team["investigator"], description="Shirt",
                                          storage_location="L3", source="other", received_from_name="ER nurse")
    with pytest.raises(PurgeRefused):
        item.custody.get().delete()
    with pytest.raises(PurgeRefused):
        CustodyRecord.objects.filter(item=item).delete()
    with pytest.raises(PurgeRefused):
        item.delete()
