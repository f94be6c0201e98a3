"""The lists that find the person: my tasks across my cases, cases awaiting my review or my decision, POST referrals
coming due; each flags what is overdue and holds only what the person may see."""

import datetime

import pytest
from django.utils import timezone

from complaints import roles
from complaints.history import recorded
from investigations import services
from referrals.models import Referral
from tests.factories import sustained, walk

pytestmark = pytest.mark.django_db


def rows(html):
    """The body rows of the page's table, as text, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr")[1:]]


def test_my_tasks_lists_open_tasks_of_my_cases_soonest_first_and_flags_overdue(client, file_case, team):
    today = timezone.localdate()
    mine, other = file_case(), file_case()
    walk(mine, team, "investigating")
    walk(other, team, "triaged")
    services.assign_investigator(other, team["other investigator"], by=team["supervisor"], attested=True)
    investigator = team["investigator"]
    services.add_task(mine, by=investigator, title="Canvass the block", due_on=today + datetime.timedelta(days=5))
    services.add_task(mine, by=investigator, title="Request the footage", due_on=today - datetime.timedelta(days=1))
    services.add_task(mine, by=investigator, title="Whenever there is time")
    done = services.add_task(mine, by=investigator, title="Already done", due_on=today)
    services.complete_task(done, by=investigator)
    services.add_task(other, by=team["supervisor"], title="Someone else's task")
    client.force_login(investigator)
    listed = rows(client.get("/staff/my-tasks/").content.decode())
    assert [next(t for t in ("Request the footage", "Canvass the block", "Whenever there is time") if t in row)
            for row in listed] == ["Request the footage", "Canvass the block", "Whenever there is time"]
    assert 'class="overdue"' in listed[0] and "overdue" not in listed[1]
    assert mine.complaint.reference in listed[0]
    page = client.get("/staff/").content.decode()
    assert "My overdue tasks" in page


def test_awaiting_my_review_lists_submitted_cases_and_flags_overdue(client, file_case, team):
    waiting, working = file_case(), file_case()
    walk(waiting, team, "supervisor_review")
    walk(working, team, "investigating")
    with recorded(label="test", reason="the review deadline passed"):
        waiting.phase_due_at = timezone.now() - datetime.timedelta(days=1)
        waiting.save()
    client.force_login(team["supervisor"])
    page = client.get("/staff/awaiting-review/").content.decode()
    assert waiting.complaint.reference in page and working.complaint.reference not in page
    [row] = rows(page)
    assert 'class="overdue"' in row


def test_awaiting_my_decision_lists_sustained_cases_for_the_chief(client, file_case, team):
    decide, nothing = file_case(), file_case()
    walk(decide, team, "findings_approved", disposition=sustained())
    walk(nothing, team, "findings_approved")
    client.force_login(team["chief"])
    page = client.get("/staff/awaiting-decision/").content.decode()
    assert decide.complaint.reference in page and nothing.complaint.reference not in page


def test_coming_due_lists_referrals_due_soon_overdue_first_for_the_liaison(client, case, team, roster):
    walk(case, team, "investigating")
    services.record_officer_separation(roster["officer"], by=team["supervisor"], investigation=case,
                                       reason="retired", separation_date=timezone.localdate(), notice_served=True)
    referral = Referral.objects.get(investigation=case)
    client.force_login(team[roles.POST_LIAISON])
    page = client.get("/staff/referrals/coming-due/").content.decode()
    [row] = rows(page)
    assert f"/staff/referrals/{referral.pk}/" in row
    overdue = "overdue" in row
    assert overdue == (referral.due_date < timezone.localdate())
    with recorded(label="test", reason="the due date has passed"):
        referral.due_date = timezone.localdate() - datetime.timedelta(days=3)
        referral.save()
    [row] = rows(client.get("/staff/referrals/coming-due/").content.decode())
    assert 'class="overdue"' in row
    with recorded(label="test", reason="due far ahead"):
        referral.due_date = timezone.localdate() + datetime.timedelta(days=200)
        referral.save()
    assert "Nothing here." in client.get("/staff/referrals/coming-due/").content.decode()


@pytest.mark.parametrize("address,allowed", [
    ("/staff/my-tasks/", "investigator"), ("/staff/awaiting-review/", "supervisor"),
    ("/staff/awaiting-decision/", "chief"), ("/staff/referrals/coming-due/", roles.POST_LIAISON),
])
def test_each_list_is_refused_to_the_other_roles(client, team, address, allowed):
    for who in ("investigator", "supervisor", "chief", roles.POST_LIAISON, "intake", "auditor"):
        client.force_login(team[who])
        assert client.get(address).status_code == (200 if who == allowed else 403), who


# -- each list runs as many queries for 50 rows as for 5 -------------------------------------------------------


def queries_for(client, address):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(address)  # the session's idle clock is written on the first request after a slow set-up
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200
    return len(context.captured_queries), len(response.context["page"].object_list)


@pytest.mark.parametrize("address,who", [("/staff/my-tasks/?per_page=50", "investigator"),
                                         ("/staff/me/notifications/?per_page=50", "investigator"),
                                         ("/staff/awaiting-review/?per_page=50", "other supervisor")])
def test_lists_cost_the_same_for_5_rows_as_for_50(client, file_case, team, address, who):
    def grow(count):
        for _ in range(count):
            case = walk(file_case(), team, "supervisor_review" if "review" in address else "investigating")
            if "tasks" in address:
                services.add_task(case, by=team["investigator"], title="Canvass the block")

    client.force_login(team[who])
    grow(5)
    small, rows = queries_for(client, address)
    assert rows == 5
    grow(45)
    large, rows = queries_for(client, address)
    assert rows == 50 and small == large and large <= 20, (small, large)
