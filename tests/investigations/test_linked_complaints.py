"""Linked complaints: duplicate of, related to, spawned by; a duplicate closes into its main case, losing nothing."""

import pytest
from django.core.files.base import ContentFile

from complaints import evidence as evidence_files
from complaints.models import Category, ComplaintLink, EvidenceAccess, Message
from complaints.services import attach_evidence, file_complaint, send_complainant_message
from investigations import services
from tests.factories import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def main(case, team):
    return walk(case, team, "investigating")


@pytest.fixture
def duplicate(roster):
    """A second filing about the same stop, by a witness writing in Spanish; its follow-up code is kept."""
    complaint, code = file_complaint(
        narrative="Vi al oficial empujar a una mujer durante una parada.", filer_role="third_party", language="es",
        preferred_language="es", label="public filer",
        parties=[{"role": "complainant", "is_filer": True, "name": "Marta Gil"}],
        allegations=[{"officer": roster["officer"], "category": Category.objects.get(code="excessive-force")}])
    complaint.follow_up_code = code
    return complaint.investigation


@pytest.fixture
def attach_to():
    """A PDF the filer sent with their complaint, stored through the evidence path."""

    def attach(case, name):
        stored = evidence_files.store(ContentFile(b"%PDF-1.4\n%%EOF\n", name=name))
        [item] = attach_evidence(case.complaint, [stored], label="test", public=True)
        return item

    return attach


def url(case, what="link"):
    return f"/staff/cases/{case.complaint.reference}/add/{what}/"


def page(client, case):
    return client.get(f"/staff/cases/{case.complaint.reference}/").content.decode()


def link(client, case, other, kind="duplicate_of", reason="Same stop, same officer, same night"):
    return client.post(url(case), {"kind": kind, "other_reference": other.complaint.reference, "reason": reason,
                                   "expected_state": case.state})


def test_supervisor_closes_a_duplicate_into_the_main_case_and_both_pages_show_it(client, team, main, duplicate,
                                                                                    attach_to):
    attach_to(duplicate, "phone-video.pdf")
    client.force_login(team["supervisor"])
    assert link(client, duplicate, main).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.state == "administratively_closed"
    assert ComplaintLink.objects.get(complaint=duplicate.complaint).other == main.complaint
    on_duplicate, on_main = page(client, duplicate), page(client, main)
    assert "duplicate of" in on_duplicate and main.complaint.reference in on_duplicate
    assert "duplicate joined into this one" in on_main and duplicate.complaint.reference in on_main
    # Nothing of the duplicate is lost: its account, allegations and evidence are read on the main case.
    assert "Vi al oficial empujar" in on_main and "phone-video.pdf" in on_main


def test_main_cases_investigator_reads_the_joined_evidence_and_the_look_is_logged(client, team, main, duplicate,
                                                                                   attach_to):
    evidence = attach_to(duplicate, "statement.pdf")
    services.link_complaints(duplicate, main.complaint, by=team["supervisor"], kind="duplicate_of", reason="same")
    client.force_login(team["investigator"])
    assert client.get(f"/staff/cases/{duplicate.complaint.reference}/").status_code == 404  # not their case
    assert "statement.pdf" in page(client, main)
    assert client.get(f"/staff/evidence/{evidence.pk}/").status_code == 200
    assert EvidenceAccess.objects.filter(evidence=evidence, user=team["investigator"]).exists()
    client.force_login(team["other investigator"])
    assert client.get(f"/staff/evidence/{evidence.pk}/").status_code == 404


def test_related_link_shows_both_ways_and_no_details_to_who_may_not_see_the_other(client, team, main, file_case):
    other = walk(file_case(narrative="Another stop, a week later."), team, "assigned")
    services.reassign_investigator(other, team["other investigator"], by=team["supervisor"], attested=True,
                                   reason="caseload")
    client.force_login(team["supervisor"])
    assert link(client, main, other, kind="related_to", reason="Same officer, same block").status_code == 302
    assert main.state == "investigating"  # a related complaint stays open
    assert "Same officer, same block" in page(client, other)
    client.force_login(team["investigator"])  # sees the main case only
    seen = page(client, main)
    assert "a complaint you may not open" in seen
    assert other.complaint.reference not in seen and "Same officer, same block" not in seen


def test_investigator_may_link_a_related_complaint_but_not_close_a_duplicate(client, team, main, duplicate):
    client.force_login(team["supervisor"])
    assert link(client, duplicate, main, kind="related_to").status_code == 302
    spawned = walk(duplicate, team, "assigned")
    client.force_login(team["investigator"])
    assert link(client, spawned, main, kind="spawned_by", reason="Retaliation after the first complaint"
                ).status_code == 302
    response = link(client, main, spawned, kind="duplicate_of", reason="Typed reason kept")
    assert response.status_code == 403
    assert "Only intake (during triage) or a supervisor" in response.content.decode()
    assert "Typed reason kept" in response.content.decode()
    main.refresh_from_db()
    assert main.state == "investigating"


def test_unknown_hidden_and_self_references_are_refused_alike_and_keep_the_form(client, team, main, file_case):
    hidden = walk(file_case(), team, "assigned")
    services.reassign_investigator(hidden, team["other investigator"], by=team["supervisor"], attested=True,
                                   reason="caseload")
    client.force_login(team["investigator"])
    for reference in ("C-1999-000001", hidden.complaint.reference):
        response = client.post(url(main), {"kind": "related_to", "other_reference": reference,
                                           "reason": "Kept as typed", "expected_state": "investigating"})
        assert response.status_code == 400
        assert "No complaint you may open has that reference." in response.content.decode()
        assert "Kept as typed" in response.content.decode()
    itself = link(client, main, main, kind="related_to")
    assert itself.status_code == 400 and "cannot be linked to itself" in itself.content.decode()
    missing_reason = link(client, main, main, kind="related_to", reason="")
    assert missing_reason.status_code == 400
    assert not ComplaintLink.objects.exists()


def test_a_duplicate_of_a_duplicate_is_refused(client, team, main, duplicate, file_case):
    services.link_complaints(duplicate, main.complaint, by=team["supervisor"], kind="duplicate_of", reason="same")
    third = file_case()
    client.force_login(team["supervisor"])
    response = link(client, third, duplicate)
    assert response.status_code == 400 and "is itself a duplicate" in response.content.decode()
    into_joined = link(client, main, third)  # main has a duplicate joined into it
    assert into_joined.status_code == 400
    assert "Other complaints were joined into this one" in into_joined.content.decode()


def test_read_only_roles_and_accused_staff_may_not_link(client, team, main, duplicate, roster, make_user):
    from complaints.history import recorded

    for who in ("chief", "auditor"):
        client.force_login(team[who])
        assert link(client, duplicate, main).status_code == 403, who
    accused = make_user("supervisor", username="sgt-accused")
    with recorded(label="test", reason="the accused officer's staff account"):
        officer = roster["officer"]
        officer.user = accused
        officer.save()
    client.force_login(accused)
    assert link(client, duplicate, main).status_code == 404
    assert not ComplaintLink.objects.exists()


def test_open_tasks_keep_a_duplicate_open_until_settled(client, team, main, duplicate):
    services.add_task(duplicate, by=team["supervisor"], title="Call the witness")
    client.force_login(team["supervisor"])
    response = link(client, duplicate, main)
    assert response.status_code == 400 and "Call the witness" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.state == "received" and not ComplaintLink.objects.exists()


def test_duplicates_filer_reads_in_their_language_that_it_was_joined_and_the_main_status(client, team, main,
                                                                                           duplicate):
    services.link_complaints(duplicate, main.complaint, by=team["supervisor"], kind="duplicate_of",
                             reason="Same stop")
    complaint = duplicate.complaint
    client.post("/es/follow-up/", {"reference": complaint.reference, "code": complaint.follow_up_code})
    shown = client.get("/es/follow-up/case/").content.decode()
    assert "Unida a otra queja" in shown  # the joined step, in Spanish
    assert "En investigación: un investigador está trabajando en su queja." in shown  # the main case's status
    assert main.complaint.reference not in shown and "Rosa Díaz" not in shown and "Same stop" not in shown
    # The filer can still write; it stays on their complaint and is read on the main case.
    assert client.post("/es/follow-up/case/", {"action": "message", "body": "Tengo otro video."}).status_code == 200
    assert Message.objects.get(body="Tengo otro video.").complaint == complaint
    client.force_login(team["investigator"])
    assert "Tengo otro video." in page(client, main)


def test_link_history_is_in_both_timelines(team, main, duplicate):
    from investigations import queries

    services.link_complaints(duplicate, main.complaint, by=team["supervisor"], kind="duplicate_of", reason="same")
    assert "complaint link" in [e["kind"] for e in queries.timeline(main)]
    assert "complaint link" in [e["kind"] for e in queries.timeline(duplicate)]


def test_complainant_message_after_joining_is_kept_on_the_duplicate(team, main, duplicate):
    services.link_complaints(duplicate, main.complaint, by=team["supervisor"], kind="duplicate_of", reason="same")
    send_complainant_message(duplicate.complaint, "Más información", language="es")
    assert duplicate.complaint.messages.filter(body="Más información").exists()
    assert not main.complaint.messages.filter(body="Más información").exists()
