"""Every list page runs the same number of queries for 5 rows as for 50 (no per-row queries)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from investigations import services
from investigations.models import Investigation
from tests.factories import sustained, walk

pytestmark = pytest.mark.django_db

# Every staff page: the session, the user, their second factor, their roles, their permissions (one query,
# signin.backends), their roster entry (the accused-officer rule) and the bell (a second query when something is
# unread). Each test below adds its page's own.
PAGE_QUERIES = 7


def count_queries(client, address):
    # A request first: on a slow machine growing the list takes over a minute, and the session's idle clock
    # (signin.sessions.touch, every 60 s) would add its save to the counted request.
    client.get(address)
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200
    return len(context.captured_queries), response


def grow(make, count):
    for _ in range(count):
        make()


def compare(client, user, address, make, rows_in, own):
    client.force_login(user)
    grow(make, 5)
    small, response = count_queries(client, address)
    assert rows_in(response) == 5
    grow(make, 45)
    large, response = count_queries(client, address)
    assert rows_in(response) == 50
    assert small == large, (small, large)
    assert large <= PAGE_QUERIES + own, (large, PAGE_QUERIES + own)


def listed(response):
    return len(response.context["page"].object_list)


def test_triage_queue(client, team, file_case):
    compare(client, team["intake"], "/staff/triage/?per_page=50", file_case, listed, own=3)  # count, page, allegations


def test_caseload(client, team, file_case):
    def make():
        case = file_case()
        services.triage_complaint(case, by=team["intake"])
        services.assign_investigator(case, team["investigator"], by=team["supervisor"], attested=True)

    # count, page, allegations; the bell's second query (the assignments are unread)
    compare(client, team["investigator"], "/staff/caseload/?per_page=50", make, listed, own=4)


def test_supervisor_board(client, team, file_case):
    def make():
        services.triage_complaint(file_case(), by=team["intake"])

    # the workload (counts, investigators), both lists (counts, pages; their allegations in one query)
    compare(client, team["supervisor"], "/staff/board/?per_page=50", make, listed, own=6)


def test_search(client, team, file_case):
    # the officer, their complaints, count, page, allegations, saved searches, the form's four lists
    compare(client, team["supervisor"], "/staff/search/?officer=2147&per_page=50", file_case, listed, own=10)


def test_decision_queue_with_prior_history(client, team, file_case):
    def make():
        walk(file_case(), team, "findings_approved", disposition=sustained())

    # sustained dispositions, count, page, findings, the officers' ranked history with its references; the bell's
    # second
    compare(client, team["chief"], "/staff/decisions/?per_page=50", make, lambda r: len(r.context["rows"]), own=6)
    response = client.get("/staff/decisions/?per_page=50")
    page = response.content.decode()
    # Each case's officer has sustained findings in the 49 other cases waiting.
    assert "No prior sustained findings." not in page
    # The prior history names other cases by reference, newest first, with the day each finding was approved.
    row = response.context["rows"][0]
    [officer] = row["officers"]
    prior = officer["prior"]
    assert len(prior) == 10 and officer["prior_count"] == 2 * 49  # two sustained allegations in each case
    assert row["case"].pk not in {finding.investigation_id for finding in prior}
    references = dict(Investigation.objects.values_list("pk", "complaint__reference"))
    for finding in prior:
        assert finding.reference == references[finding.investigation_id]
        assert finding.reference in page
        assert finding.approved == timezone.localdate().isoformat()
    assert [f.investigation_id for f in prior] == sorted((f.investigation_id for f in prior), reverse=True)


def test_search_by_full_reference_and_by_prefix_find_the_case(client, team, file_case):
    case = file_case()
    file_case()
    client.force_login(team["supervisor"])
    exact = client.get(f"/staff/search/?reference={case.complaint.reference.lower()}")
    assert [c.pk for c in exact.context["page"].object_list] == [case.pk]
    prefix = client.get(f"/staff/search/?reference={case.complaint.reference[:6]}")
    assert len(prefix.context["page"].object_list) == 2


def test_search_without_match_says_so(client, team, file_case):
    file_case()
    client.force_login(team["supervisor"])
    page = client.get("/staff/search/?reference=C-1999-").content.decode()
    assert "(0 cases)" in page and "No cases." in page


def test_evidence_access_log(client, team, complaint_with_everything):
    from complaints.models import Evidence, EvidenceAccess

    evidence = Evidence.objects.get(complaint=complaint_with_everything)

    def make():
        EvidenceAccess.objects.create(evidence=evidence, user=team["chief"], action="view")

    compare(client, team["auditor"], f"/staff/access-log/users/{team['chief'].pk}/?per_page=50", make, listed, own=3)
