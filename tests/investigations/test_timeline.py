"""The case timeline is one query: every history model of the project is in it (or named as not about a case),
the staff page and the case file both read it, and a changed field shows its value before and after."""

import datetime

import pytest
from django.utils import timezone, translation
from simple_history.models import registered_models

from complaints.history import recorded
from complaints.models import Disposition, EvidenceAccess
from investigations import queries, services
from investigations.exceptions import ConflictOfInterest
from investigations.field_labels import FIELD_LABELS
from referrals import services as referral_services
from referrals.models import Referral
from tests.factories import pdf_text, walk

pytestmark = pytest.mark.django_db


def test_every_history_model_is_a_case_source_or_named_as_not_about_a_case():
    sources = {source.model._meta.label_lower for source in queries.CASE_HISTORY_SOURCES}
    tracked = {model._meta.label_lower for model in registered_models.values()}
    missing = tracked - sources - queries.NOT_CASE_HISTORY
    assert missing == set(), f"history models left out of the case timeline: {sorted(missing)}"
    assert EvidenceAccess._meta.label_lower in sources  # every look at evidence, too
    assert {"referrals.referral", "referrals.exportlog"} <= sources


def test_every_field_a_timeline_can_show_is_marked_for_translation():
    shown = set()
    with translation.override(None):
        for source in queries.CASE_HISTORY_SOURCES:
            if not source.access_log:
                shown |= {str(f.verbose_name) for f in source.model._meta.concrete_fields
                          if f.attname not in queries._UNCOMPARED}
        listed = {str(label) for label in FIELD_LABELS}
    missing = shown - listed
    assert missing == set(), f"add these to investigations/field_labels.py and translate them: {sorted(missing)}"


@pytest.fixture
def whole_case(complaint_with_everything, case, team, roster):
    """A case with a row in every history source (the same walk as the purge test)."""
    investigator, supervisor, chief = team["investigator"], team["supervisor"], team["chief"]
    officer = roster["officer"]
    walk(case, team, "investigating")
    with pytest.raises(ConflictOfInterest):
        services.reassign_investigator(case, team["other investigator"], by=supervisor, attested=False,
                                       reason="caseload")
    services.add_witness_officer(case, roster["sergeant"], by=investigator)
    services.record_interview(case, by=investigator, interviewee="Rosa Díaz", interviewee_role="complainant",
                              held_at=timezone.now(), kind="phone", rights_notice="n/a")
    services.add_note(case, by=investigator, body="Body-camera footage requested.")
    item = services.add_physical_evidence(case, by=investigator, description="DVD of body-worn camera footage",
                                          storage_location="Locker 4", seal_number="S-1", source="body_worn_camera",
                                          received_from_name="Evidence custodian")
    services.record_custody(case, by=investigator, item=item, kind="checked_out", to_user=supervisor)
    services.link_complaints(case, complaint_with_everything, by=supervisor, kind="related_to", reason="same stop")
    task = services.add_task(case, by=investigator, title="Canvass the block")
    services.complete_task(task, by=investigator)
    services.send_message(case, by=investigator, body="Could you call us?")
    services.add_translation(case, by=investigator, language="en", text="The officer shoved me.")
    with recorded(label="public filer", reason="retaliation reported in the portal"):
        case.complaint.retaliation_reports.create(description="A patrol car waits outside my house.")
    for allegation in case.complaint.allegations.all():
        services.record_finding(case, allegation, Disposition.objects.get(code="sustained"), by=investigator)
    services.begin_retaliation_check(case, by=investigator)
    answers = {p.pk: {"asked": True} for p in services.identified_people(case)}
    services.record_retaliation_check(case, by=investigator, answers=answers)
    services.submit_for_review(case, by=investigator)
    services.approve_findings(case, by=supervisor)
    services.record_final_discipline(case, officer, by=chief, outcome="suspension", suspension_days=15,
                                     effective_date=datetime.date.today(), reason="unlawful force")
    services.record_officer_separation(officer, by=supervisor, investigation=case,
                                       separation_date=datetime.date.today(), reason="resigned")
    referral_services.export_referral(Referral.objects.get(investigation=case), "json", by=team["POST liaison"])
    evidence = case.complaint.evidence.first()
    if evidence is not None:
        EvidenceAccess.objects.create(evidence=evidence, user=investigator, action="view")
    services.export_case_file(case, by=supervisor)
    return case


def test_a_whole_case_has_every_source_on_its_timeline(whole_case):
    kinds = {event["kind"] for event in queries.timeline(whole_case)}

    # This case has no evidence file, so nothing to view, process or copy.
    expected = {source.kind for source in queries.CASE_HISTORY_SOURCES} - {
        "evidence", "evidence view", "evidence processing", "derived copy"}
    assert expected - kinds == set()


def test_a_changed_field_shows_before_and_after(case, team):
    walk(case, team, "investigating")
    task = services.add_task(case, by=team["investigator"], title="Canvass the block")
    services.complete_task(task, by=team["investigator"])

    done = [e for e in queries.timeline(case) if e["kind"] == "task" and e["changes"]]

    assert len(done) == 1
    field, before, after = done[0]["changes"][0]
    assert (field, before) == ("done at", "—") and after.startswith(str(timezone.localdate().year))


def test_the_staff_page_and_the_case_file_show_the_same_history(client, team, case):
    walk(case, team, "investigating")
    services.add_note(case, by=team["investigator"], body="Body-camera footage requested.")
    services.add_task(case, by=team["investigator"], title="Canvass the block")
    client.force_login(team["supervisor"])

    page = client.get(f"/staff/cases/{case.complaint.reference}/").content.decode()
    text = pdf_text(client.get(f"/staff/cases/{case.complaint.reference}/case-file.pdf").content)

    for shown in ("assigned → investigating", "Canvass the block"):
        assert shown in page
    assert "Canvass the block" in text and "investigating" in text and "note" in text


def test_a_spanish_staff_member_reads_field_names_and_changes_in_spanish(client, team, case):
    walk(case, team, "investigating")
    task = services.add_task(case, by=team["investigator"], title="Canvass the block")
    services.complete_task(task, by=team["investigator"])
    client.force_login(team["supervisor"])

    with translation.override("en"):  # the request activates Spanish; later tests get English back
        page = client.get(f"/staff/cases/{case.complaint.reference}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
        text = pdf_text(client.get(f"/staff/cases/{case.complaint.reference}/case-file.pdf",
                                   HTTP_ACCEPT_LANGUAGE="es").content)

    with translation.override("es"):
        done_at = translation.pgettext("timeline field", "done at")
        created, changed = (translation.pgettext("timeline change", word) for word in ("created", "changed"))
    assert "done at" != done_at and "created" != created and "changed" != changed
    assert f"{done_at}: —" in page and f"({created})" in page and f"({changed})" in page
    assert done_at in text and f"({created})" in text
    assert "done at" not in page and "(Created)" not in page and "(Changed)" not in page


def test_a_refused_assignment_stays_on_the_timeline_with_its_reasons(client, team, case):
    services.triage_complaint(case, by=team["intake"], reason="ok")
    client.force_login(team["supervisor"])

    with pytest.raises(ConflictOfInterest):
        services.assign_investigator(case, team["investigator"], by=team["supervisor"], attested=False)

    refused = [e for e in queries.timeline(case) if e["kind"] == "refused assignment"]
    assert len(refused) == 1 and "has not attested" in refused[0]["what"]
    assert refused[0]["who"] == team["supervisor"].get_username()
    case.refresh_from_db()
    assert case.state == "triaged" and case.investigator is None
