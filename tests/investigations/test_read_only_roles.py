"""Read-only roles read everything: the auditor's referral pages, each role's queues on its home page, and the
evidence access log per case and per user."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from complaints import roles
from complaints.history import recorded
from complaints.models import Evidence, EvidenceAccess
from investigations import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(complaint_with_everything, team, roster):
    case = complaint_with_everything.investigation
    services.record_officer_separation(roster["officer"], by=team["supervisor"], investigation=case,
                                       reason="retired", separation_date=timezone.localdate(), notice_served=True)
    return apps.get_model("referrals", "Referral").objects.get(investigation=case)


def queues(response):
    return {str(label): count for label, _url, count in response.context["queues"]}


def test_auditor_reads_the_referral_queue_a_referral_and_the_export_log_but_changes_nothing(client, team, referral):
    client.force_login(team[roles.POST_LIAISON])
    assert client.get(reverse("referrals:export", args=[referral.pk, "json"])).status_code == 200
    client.force_login(team[roles.AUDITOR])
    assert client.get(reverse("referrals:queue")).status_code == 200
    detail = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Exports of this referral" in detail and "Record as sent" not in detail
    log = client.get(reverse("referrals:export_log")).content.decode()
    assert referral.investigation.complaint.reference in log
    response = client.post(reverse("referrals:sent", args=[referral.pk]), {"sent_on": "2026-11-20", "method": "mail"})
    assert response.status_code == 403
    assert apps.get_model("referrals", "Referral").objects.get(pk=referral.pk).status == "due"


def test_liaison_home_counts_referrals_due_and_overdue(client, team, referral):
    client.force_login(team[roles.POST_LIAISON])
    counts = queues(client.get("/staff/"))
    assert counts["POST referrals due"] == 1 and counts["POST referrals overdue"] == 0


def test_auditor_home_shows_exports_and_the_access_log(client, team, referral):
    client.force_login(team[roles.POST_LIAISON])
    client.get(reverse("referrals:export", args=[referral.pk, "json"]))
    client.force_login(team[roles.INTAKE_COORDINATOR])
    client.get(reverse("staff:evidence", args=[Evidence.objects.get(complaint=referral.investigation.complaint).pk]))
    client.force_login(team[roles.AUDITOR])
    page = client.get("/staff/")
    counts = queues(page)
    assert counts["Exports in the last 30 days"] == 1
    assert counts["Evidence views in the last 7 days"] == EvidenceAccess.objects.count() >= 1
    assert counts["POST referrals due"] == 1
    assert reverse("staff:access_log") in page.content.decode()


def test_each_working_role_sees_its_queues_with_counts(client, team, file_case):
    services.triage_complaint(file_case(), by=team["intake"])
    file_case()
    client.force_login(team["intake"])
    assert queues(client.get("/staff/"))["Triage queue"] == 2
    client.force_login(team["supervisor"])
    counts = queues(client.get("/staff/"))
    assert counts["Awaiting assignment"] == 1 and counts["Triage queue"] == 2
    client.force_login(team["investigator"])
    assert queues(client.get("/staff/"))["My caseload"] == 0


def test_evidence_access_log_per_case_and_per_user(client, team, complaint_with_everything):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    earlier = set(EvidenceAccess.objects.values_list("pk", flat=True))
    client.force_login(team["intake"])
    client.get(reverse("staff:evidence_download", args=[evidence.pk]))
    client.force_login(team["chief"])
    client.get(reverse("staff:evidence", args=[evidence.pk]))
    reference = complaint_with_everything.reference
    for who in ("auditor", "supervisor", roles.ADMINISTRATOR):
        client.force_login(team[who])
        page = client.get(reverse("staff:case_access_log", args=[reference]))
        assert page.status_code == 200, who
        rows = [r for r in page.context["page"].object_list if r.pk not in earlier]
        assert [(r.user, r.action) for r in rows] == [(team["chief"], "stream"), (team["intake"], "download")]
        by_user = client.get(reverse("staff:user_access_log", args=[team["intake"].pk]))
        assert [r.user for r in by_user.context["page"].object_list] == [team["intake"]]
        assert evidence.original_name in by_user.content.decode()
    assert EvidenceAccess.objects.count() == len(earlier) + 2  # reading the log is not a look at evidence


def test_accused_supervisor_reads_no_access_log_of_her_case(client, team, roster, make_user,
                                                           complaint_with_everything):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    client.force_login(team["auditor"])
    client.get(reverse("staff:evidence", args=[evidence.pk]))
    okafor = make_user(roles.SUPERVISOR, username="lt-okafor")
    with recorded(label="test", reason="roster"):
        officer = roster["officer"]
        officer.user = okafor
        officer.save()
    client.force_login(okafor)
    assert client.get(reverse("staff:case_access_log", args=[complaint_with_everything.reference])).status_code == 404
    assert list(client.get(reverse("staff:access_log")).context["page"].object_list) == []


def test_sealed_case_access_log_needs_leave_to_see_sealed_cases(client, team, complaint_with_everything):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    client.force_login(team["auditor"])
    client.get(reverse("staff:evidence", args=[evidence.pk]))
    with recorded(label="test", reason="sealed by court order"):
        complaint_with_everything.sealed = True
        complaint_with_everything.save()
    client.force_login(team[roles.ADMINISTRATOR])
    assert client.get(reverse("staff:case_access_log", args=[complaint_with_everything.reference])).status_code == 404
    assert list(client.get(reverse("staff:access_log")).context["page"].object_list) == []
    client.force_login(team["auditor"])
    assert len(client.get(reverse("staff:access_log")).context["page"].object_list) == EvidenceAccess.objects.count()


def test_home_counts_overdue_cases_for_the_investigator(client, team, case):
    services.triage_complaint(case, by=team["intake"])
    services.assign_investigator(case, team["investigator"], by=team["supervisor"], attested=True)
    with recorded(label="test", reason="clock moved"):
        case.refresh_from_db()
        case.phase_due_at = timezone.now() - datetime.timedelta(days=1)
        case.save()
    client.force_login(team["investigator"])
    counts = queues(client.get("/staff/"))
    assert counts["My caseload"] == 1 and counts["My overdue cases"] == 1
