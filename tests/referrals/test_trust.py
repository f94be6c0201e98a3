"""Referrals you can trust: a referral whose rule is no longer met says so in every export, cannot be sent, and
can still be closed once sent; the packet gives the officer's employment status; an accused supervisor never
reaches her own referral."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.utils import timezone, translation

from complaints.history import recorded
from investigations import services
from referrals.models import Referral, Status
from tests.factories import decide, pdf_text, squeezed

pytestmark = pytest.mark.django_db

QUEUE = "/staff/referrals/"


@pytest.fixture
def terminated(file_case, team, certified):
    case = file_case(categories=("discourtesy",))
    decision = decide(case, team, certified, outcome="termination", effective_date=timezone.localdate(),
                      reason="Struck a handcuffed man.")
    return Referral.objects.get(investigation=case), decision


def cut_to_five_days(decision, team):
    services.record_discipline_change(decision, by=team["chief"], kind="arbitration", outcome="suspension",
                                      suspension_days=5, effective_date=timezone.localdate(),
                                      reason="arbitration award")


def test_a_referral_no_longer_met_says_so_in_every_format_of_the_bulk_export(client, liaison, team, terminated):
    referral, decision = terminated
    cut_to_five_days(decision, team)
    client.force_login(liaison)
    day = referral.due_date

    response = client.get(f"{QUEUE}bulk/", {"start": day.isoformat(), "end": day.isoformat()})

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    stem = f"referral-{referral.investigation.complaint.reference}-{referral.pk}"
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["no_longer_met"] == [referral.pk]
    assert manifest["referrals"][0]["status"] == "no_longer_met"
    packet = json.loads(archive.read(f"{stem}.json"))["referrals"][0]
    assert (packet["status"]["status"], packet["conditions_met"], packet["rules_met"]) == ("no_longer_met", False, [])
    assert packet["reason"].startswith("NO REFERRAL RULE IS MET ANY MORE")
    assert not packet["reason"].startswith("(a)(1)")
    assert packet["investigation_summary"].startswith("NO REFERRAL RULE IS MET ANY MORE")
    row = next(csv.DictReader(io.StringIO(archive.read("referrals.csv").decode("utf-8-sig"))))
    assert (row["status"], row["conditions_met"], row["rules_met"]) == ("no_longer_met", "no", "")
    assert "No referral rule is met any more" in row["evaluation_note"]
    assert "Noreferralruleismetanymore" in squeezed(pdf_text(archive.read(f"{stem}.pdf")))


def test_a_referral_no_longer_met_cannot_be_recorded_as_sent(client, liaison, team, terminated):
    referral, decision = terminated
    cut_to_five_days(decision, team)
    client.force_login(liaison)

    response = client.post(f"{QUEUE}{referral.pk}/sent/", {"sent_on": timezone.localdate().isoformat(),
                                                           "method": "portal"})

    assert response.status_code == 400
    assert "cannot be sent" in response.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.sent_on) == (Status.DUE, None)


def test_a_sent_referral_no_longer_met_can_be_closed_by_a_supervisor(client, liaison, team, terminated):
    referral, decision = terminated
    client.force_login(liaison)
    assert client.post(f"{QUEUE}{referral.pk}/sent/", {"sent_on": timezone.localdate().isoformat(),
                                                       "method": "portal"}).status_code == 302
    cut_to_five_days(decision, team)
    client.force_login(team["supervisor"])

    page = client.get(f"{QUEUE}{referral.pk}/").content.decode()
    response = client.post(f"{QUEUE}{referral.pk}/close/", {"reason": "Arbitration cut it to 5 days; board told."})

    assert "Close referral" in page
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.closed_by) == (Status.CLOSED, team["supervisor"])


def test_a_sent_referral_still_met_cannot_be_closed(client, liaison, team, terminated):
    referral, _decision = terminated
    client.force_login(liaison)
    client.post(f"{QUEUE}{referral.pk}/sent/", {"sent_on": timezone.localdate().isoformat(), "method": "portal"})
    client.force_login(team["supervisor"])

    response = client.post(f"{QUEUE}{referral.pk}/close/", {"reason": "no"})

    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_the_packet_gives_a_terminated_officers_status_at_export_and_at_the_trigger(client, liaison, terminated):
    referral, _decision = terminated
    client.force_login(liaison)

    packet = json.loads(client.get(f"{QUEUE}{referral.pk}/export.json").content)["referrals"][0]
    text = pdf_text(client.get(f"{QUEUE}{referral.pk}/export.pdf").content)

    assert packet["officer"]["employment_status_at_export"]["status"] == "terminated"
    assert packet["officer"]["employment_status_at_trigger"]["status"] == "terminated"
    assert "Employment status at export" in text and "terminated" in text
    assert "active" not in text


def test_the_packet_reads_the_roster_as_it_stood_at_the_trigger(client, liaison, team, file_case, certified):
    case = file_case(categories=("excessive-force",))
    decide(case, team, certified, outcome="suspension", days=30, effective_date=timezone.localdate())
    referral = Referral.objects.get(investigation=case)
    with recorded(label="test", reason="officer retired after the decision"):
        certified.employment_status = "separated"
        certified.separation_date = timezone.localdate() + datetime.timedelta(days=1)
        certified.separation_reason = "retired"
        certified.save()
    client.force_login(liaison)

    officer = json.loads(client.get(f"{QUEUE}{referral.pk}/export.json").content)["referrals"][0]["officer"]

    assert officer["employment_status_at_trigger"]["status"] == "active"
    assert officer["employment_status_at_export"] == {
        "status": "separated", "since": certified.separation_date.isoformat(), "reason": "retired"}


@pytest.fixture
def okafor(team, roster, make_user):
    """Lt Okafor: a supervisor who is herself an officer on the roster."""
    from complaints import roles

    user = make_user(roles.SUPERVISOR, username="okafor")
    with recorded(label="test", reason="Lt Okafor's roster entry"):
        officer = roster["sergeant"]
        officer.user = user
        officer.save()
    return user, officer


def test_an_accused_supervisor_neither_sees_nor_closes_her_own_referral(client, team, roster, okafor, file_case):
    user, officer = okafor
    case = file_case(officer="sergeant", received_at=timezone.now() - datetime.timedelta(days=30))
    services.record_officer_separation(officer, by=team["supervisor"], investigation=case,
                                       separation_date=timezone.localdate(), reason="retired", notice_served=True)
    referral = Referral.objects.get(investigation=case)
    client.force_login(user)

    queue = client.get(QUEUE)
    detail = client.get(f"{QUEUE}{referral.pk}/")
    close = client.post(f"{QUEUE}{referral.pk}/close/", {"reason": "does not apply to me"})

    assert queue.status_code == 200 and referral.pk not in [r.pk for r in queue.context["page"].object_list]
    assert detail.status_code == 404 and close.status_code == 404
    referral.refresh_from_db()
    assert referral.status == Status.DUE
    client.force_login(team["supervisor"])
    assert client.get(f"{QUEUE}{referral.pk}/").status_code == 200


def test_the_packet_is_printed_in_the_staff_members_language(client, liaison, terminated):
    referral, _decision = terminated
    client.force_login(liaison)

    with translation.override("en"):  # the request activates Spanish; later tests get English back
        response = client.get(f"{QUEUE}{referral.pk}/export.pdf", HTTP_ACCEPT_LANGUAGE="es")

    text = pdf_text(response.content)
    assert "Situación laboral al exportar" in text and "Por qué se debe esta remisión" in text
