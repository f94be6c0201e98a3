"""Every staff URL requested as every role and logged out, with the expected allow or deny."""

import pytest

from complaints import roles
from complaints.history import recorded
from complaints.models import Evidence

pytestmark = pytest.mark.django_db

INT, INV, SUP, CHF, PST, AUD, ADM = (roles.INTAKE_COORDINATOR, roles.INVESTIGATOR, roles.SUPERVISOR, roles.CHIEF,
                       roles.POST_LIAISON, roles.AUDITOR, roles.ADMINISTRATOR)
ALL = [INT, INV, SUP, CHF, PST, AUD, ADM]
OK, LOGIN = 200, "login"


# (method, url template, {role: status}, status for roles not listed)
MATRIX = [
    ("get", "/staff/", {r: OK for r in ALL}, 403),
    ("get", "/staff/triage/", {INT: OK, SUP: OK}, 403),
    ("get", "/staff/caseload/", {INV: OK}, 403),
    ("get", "/staff/board/", {SUP: OK}, 403),
    ("get", "/staff/decisions/", {CHF: OK}, 403),
    ("get", "/staff/search/?reference=C-", {INT: OK, INV: OK, SUP: OK, CHF: OK, AUD: OK}, 403),
    ("get", "/staff/intake/new/", {INT: OK}, 403),
    # A case in triage: intake and the supervisor, chief and auditor; the others may not know it exists.
    ("get", "/staff/cases/{ref}/", {INT: OK, SUP: OK, CHF: OK, AUD: OK}, 404),
    ("get", "/staff/cases/{ref}/do/triage/", {INT: OK, SUP: OK, CHF: 403, AUD: 403}, 404),
    ("get", "/staff/cases/{ref}/do/close_administratively/", {SUP: OK, INT: 403, CHF: 403, AUD: 403}, 404),
    ("post", "/staff/cases/{ref}/add/note/", {SUP: 302, INT: 403, CHF: 403, AUD: 403}, 404),
    ("post", "/staff/cases/{ref}/add/translation/", {SUP: 302, INT: 302, CHF: 403, AUD: 403}, 404),
    ("get", "/staff/evidence/{evidence}/", {INT: OK, SUP: OK, CHF: OK, AUD: OK}, 404),
    ("get", "/staff/evidence/{evidence}/download/", {INT: OK, SUP: OK, CHF: OK, AUD: OK}, 404),
]

POST_DATA = {"body": "A note", "language": "en", "text": "Translation"}


@pytest.fixture
def targets(complaint_with_everything):
    evidence = Evidence.objects.get(complaint=complaint_with_everything)
    return {"ref": complaint_with_everything.reference, "evidence": evidence.pk}


@pytest.mark.parametrize("method,template,allowed,default", MATRIX)
def test_staff_url_as_every_role(client, staff, targets, method, template, allowed, default):
    address = template.format(**targets)
    results = {}
    for role in ALL:
        client.force_login(staff[role])
        response = getattr(client, method)(address, POST_DATA if method == "post" else None)
        results[role] = response.status_code
        client.logout()
    expected = {role: allowed.get(role, default) for role in ALL}
    assert results == expected
    response = getattr(client, method)(address, POST_DATA if method == "post" else None)
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_assigned_investigator_sees_only_their_case(client, team, case, file_case):
    from investigations import services

    other = file_case()
    services.triage_complaint(case, by=team["intake"])
    services.assign_investigator(case, team["investigator"], by=team["supervisor"], attested=True)
    client.force_login(team["investigator"])
    assert client.get(f"/staff/cases/{case.complaint.reference}/").status_code == 200
    assert client.get(f"/staff/cases/{other.complaint.reference}/").status_code == 404
    client.force_login(team["other investigator"])
    assert client.get(f"/staff/cases/{case.complaint.reference}/").status_code == 404


def test_sealed_case_only_for_roles_allowed(client, team, case):
    with recorded(label="test", reason="sealed by court order"):
        complaint = case.complaint
        complaint.sealed = True
        complaint.save()
    address = f"/staff/cases/{complaint.reference}/"
    for who, status in [("intake", 404), ("supervisor", 200), ("chief", 200), ("auditor", 200)]:
        client.force_login(team[who])
        assert client.get(address).status_code == status, who
    client.force_login(team["intake"])
    assert complaint.reference not in client.get("/staff/triage/").content.decode()


def test_accused_officer_never_gets_access_whatever_the_role(client, team, case, roster):
    supervisor = team["supervisor"]
    with recorded(label="test", reason="officer promoted into IA supervision"):
        officer = roster["officer"]
        officer.user = supervisor
        officer.save()
    client.force_login(supervisor)
    assert client.get(f"/staff/cases/{case.complaint.reference}/").status_code == 404
    assert case.complaint.reference not in client.get("/staff/search/?reference=C-").content.decode()
