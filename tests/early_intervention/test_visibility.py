"""Who may see early-intervention records, the officer page and unit dashboard, and that EI stays non-disciplinary."""

import datetime
import io
import json

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from complaints import roles
from complaints.history import recorded
from complaints.models import Category, Disposition
from complaints.services import file_complaint
from early_intervention import services as ei
from early_intervention.evaluation import evaluate
from investigations import services

INTERVENTION_NOTE = "Peer-support sessions arranged after the use-of-force alert"

PAGES = ["early_intervention:board", "early_intervention:units"]


@pytest.fixture
def alert(force, complain, make_rule, only_rules, import_events):
    make_rule("complaints", threshold_count=1)
    complain(force["p1"])
    import_events([f"rms,1,use_of_force,{timezone.now().isoformat()},P1,yes,"])
    [raised] = evaluate()
    return raised


def link(user, officer):
    with recorded(label="test", reason="account linked to the roster"):
        officer.user = user
        officer.save()


@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.CHIEF, roles.AUDITOR, roles.ADMINISTRATOR])
def test_supervisors_the_chief_auditors_and_administrators_see_early_intervention(client, staff, alert, role):
    client.force_login(staff[role])
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("early_intervention:officer", args=[alert.officer_id])).status_code == 200
    assert client.get(reverse("early_intervention:alert", args=[alert.pk])).status_code == 200


@pytest.mark.parametrize("role", [roles.INVESTIGATOR, roles.INTAKE_COORDINATOR, roles.POST_LIAISON])
def test_investigators_intake_and_the_post_liaison_never_see_it(client, staff, alert, role):
    client.force_login(staff[role])
    for url in [reverse(n) for n in PAGES] + [reverse("early_intervention:officer", args=[alert.officer_id]),
                                              reverse("early_intervention:alert", args=[alert.pk])]:
        assert client.get(url).status_code == 403, url
    assert "Early intervention" not in client.get(reverse("staff:home")).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, alert):
    response = client.get(reverse("early_intervention:board"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_officer_never_opens_his_own_record(client, make_user, alert):
    sergeant = make_user(roles.SUPERVISOR)
    link(sergeant, alert.officer)
    client.force_login(sergeant)
    assert client.get(reverse("early_intervention:officer", args=[alert.officer_id])).status_code == 403
    assert client.get(reverse("early_intervention:alert", args=[alert.pk])).status_code == 404
    assert str(alert.officer) not in client.get(reverse("early_intervention:board")).content.decode()


def test_a_supervisor_accused_in_a_case_on_the_record_has_a_conflict(client, make_user, force, alert):
    sergeant = make_user(roles.SUPERVISOR)
    link(sergeant, force["p2"])
    file_complaint(narrative="Both of them.", filer_role="anonymous", language="en", label="public filer",
                   allegations=[{"officer": force["p1"], "category": Category.objects.get(code="discourtesy")},
                                {"officer": force["p2"], "category": Category.objects.get(code="discourtesy")}])
    client.force_login(sergeant)
    assert client.get(reverse("early_intervention:officer", args=[force["p1"].pk])).status_code == 403
    assert str(force["p1"]) not in client.get(reverse("early_intervention:board")).content.decode()
    assert client.get(reverse("early_intervention:officer", args=[force["p3"].pk])).status_code == 200


def test_the_officer_page_puts_everything_on_one_timeline_with_peer_medians(client, staff, alert, force,
                                                                           import_events):
    import_events([f"rms,2,use_of_force,{timezone.now().isoformat()},P2,yes,",
                   f"rms,3,use_of_force,{timezone.now().isoformat()},P3,yes,"])
    client.force_login(staff[roles.AUDITOR])
    page = client.get(reverse("early_intervention:officer", args=[force["p1"].pk])).content.decode()
    complaint = alert.officer.allegations.get().complaint
    assert complaint.reference in page and "use of force (rms 1)" in page and str(alert.rule) in page
    row = page.split("<td>use of force</td>")[1].split("</tr>")[0]
    # P1, P2, P3 have one each, P4 and P5 none: the patrol median is 1.
    assert row == "<td>1</td><td>1.0</td>"


def test_the_unit_dashboard_warns_when_too_much_of_a_unit_is_flagged(client, staff, alert, settings):
    client.force_login(staff[roles.CHIEF])
    settings.EI_UNIT_FLAGGED_WARNING_SHARE = 0.5
    page = client.get(reverse("early_intervention:units")).content.decode()
    assert "1st District" in page and "check the thresholds" not in page
    settings.EI_UNIT_FLAGGED_WARNING_SHARE = 0.1
    page = client.get(reverse("early_intervention:units")).content.decode()
    row = page.split("1st District")[1].split("</tr>")[0]
    assert "<td>5</td><td>1</td>" in row and "(0.20)" in row and "check the thresholds" in row


def _sustain_and_terminate(complaint, staff, officer):
    """Walk the complaint's case to a sustained finding and the chief's termination (a POST referral)."""
    case = services.investigation_for(complaint)
    investigator, supervisor = staff[roles.INVESTIGATOR], staff[roles.SUPERVISOR]
    services.triage_complaint(case, by=staff[roles.INTAKE_COORDINATOR], reason="ok")
    services.assign_investigator(case, investigator, by=supervisor, attested=True)
    services.start_investigation(case, by=investigator)
    for allegation in case.complaint.allegations.all():
        services.record_finding(case, allegation, Disposition.objects.get(code="sustained"), by=investigator)
    services.begin_retaliation_check(case, by=investigator)
    services.record_retaliation_check(case, by=investigator, answers={})
    services.submit_for_review(case, by=investigator)
    services.approve_findings(case, by=supervisor)
    services.record_final_discipline(case, officer, by=staff[roles.CHIEF], outcome="termination",
                                     effective_date=timezone.localdate(), reason="Struck a handcuffed man.")
    return case


def test_early_intervention_never_reaches_discipline_or_post_packets(client, staff, alert, force):
    supervisor = staff[roles.SUPERVISOR]
    ei.answer_alert(alert, "begin_review", by=supervisor)
    ei.record_intervention(alert, by=supervisor, kind="peer_support", given_by="Peer team",
                           given_on=timezone.localdate(),
                           follow_up_due=timezone.localdate() + datetime.timedelta(days=30), notes=INTERVENTION_NOTE)
    complaint = alert.officer.allegations.get().complaint
    case = _sustain_and_terminate(complaint, staff, force["p1"])
    referral = apps.get_model("referrals", "Referral").objects.get(investigation=case)

    client.force_login(staff[roles.POST_LIAISON])
    pdf = client.get(f"/staff/referrals/{referral.pk}/export.pdf")
    packet = client.get(f"/staff/referrals/{referral.pk}/export.json")
    assert pdf.status_code == packet.status_code == 200
    client.force_login(supervisor)
    case_file = client.get(reverse("staff:case_file", args=[complaint.reference]))
    client.force_login(staff[roles.CHIEF])
    case_page = client.get(reverse("staff:case", args=[complaint.reference]))
    assert case_file.status_code == case_page.status_code == 200

    texts = {
        "referral pdf": "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages),
        "referral json": json.dumps(json.loads(packet.content)),
        "case file": "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(case_file.content)).pages),
        # The case page's own content (the navigation links to early intervention for the chief).
        "case page (chief)": case_page.content.decode().split('id="main"')[1],
    }
    assert complaint.reference in texts["referral pdf"] and complaint.reference in texts["case file"]
    for where, text in texts.items():
        for ei_content in (INTERVENTION_NOTE, "Peer team", "peer support", alert.rule.name, "early intervention",
                           "Early intervention", "rms 1"):
            assert ei_content not in text.replace("\n", " "), (where, ei_content)
