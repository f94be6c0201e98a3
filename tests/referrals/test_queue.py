"""The POST liaison's queue over HTTP: due soonest first, overdue, sent, acknowledged; closing; who may see it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import roles
from investigations import services
from referrals.models import Referral, Status
from tests.factories import walk

pytestmark = pytest.mark.django_db

QUEUE = "/staff/referrals/"


def resign(file_case, team, roster, *, days_ago, officer="officer"):
    """A case whose accused officer resigned `days_ago` days ago during the investigation, after notice."""
    case = file_case(officer=officer, received_at=timezone.now() - datetime.timedelta(days=days_ago + 30))
    services.record_officer_separation(roster[officer], by=team["supervisor"], investigation=case,
                                       separation_date=timezone.localdate() - datetime.timedelta(days=days_ago),
                                       reason="resigned", notice_served=True)
    return Referral.objects.get(investigation=case)


def listed(response):
    return [r.pk for r in response.context["page"].object_list]


def test_due_list_is_soonest_first_and_overdue_is_separate(client, liaison, file_case, team, roster):
    later = resign(file_case, team, roster, days_ago=1)
    sooner = resign(file_case, team, roster, days_ago=5, officer="sergeant")
    overdue = resign(file_case, team, roster, days_ago=15, officer="commander")
    client.force_login(liaison)

    due = client.get(QUEUE)
    late = client.get(QUEUE, {"tab": "overdue"})

    assert due.status_code == 200
    assert listed(due) == [sooner.pk, later.pk]
    assert listed(late) == [overdue.pk]
    assert overdue.due_date < timezone.localdate()
    page = due.content.decode()
    assert "Due (2)" in page and "Overdue (1)" in page
    assert page.index(sooner.investigation.complaint.reference) < page.index(later.investigation.complaint.reference)


def test_liaison_marks_sent_then_acknowledged_and_history_says_why(client, liaison, file_case, team, roster):
    referral = resign(file_case, team, roster, days_ago=2)
    client.force_login(liaison)
    today = timezone.localdate()

    response = client.post(f"{QUEUE}{referral.pk}/sent/", {"sent_on": today.isoformat(), "method": "portal",
                                                           "board_reference": "ILETSB-2026-0042"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.sent_on, referral.sent_method) == (Status.SENT, today, "portal")
    assert (referral.board_reference, referral.sent_by) == ("ILETSB-2026-0042", liaison)
    assert listed(client.get(QUEUE, {"tab": "sent"})) == [referral.pk]
    assert listed(client.get(QUEUE)) == []

    response = client.post(f"{QUEUE}{referral.pk}/acknowledged/", {"acknowledged_on": today.isoformat()})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.acknowledged_on, referral.acknowledged_by) == (
        Status.ACKNOWLEDGED, today, liaison)
    assert listed(client.get(QUEUE, {"tab": "acknowledged"})) == [referral.pk]
    reasons = list(referral.history.order_by("history_date", "history_id").values_list("history_change_reason",
                                                                                      flat=True))
    assert reasons[-2:] == [f"referral sent to the board by portal on {today}",
                            f"board acknowledged the referral on {today}"]
    assert referral.history.order_by("-history_date").first().history_user == liaison


def test_sent_date_in_the_future_is_refused_and_nothing_changes(client, liaison, file_case, team, roster):
    referral = resign(file_case, team, roster, days_ago=2)
    client.force_login(liaison)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(f"{QUEUE}{referral.pk}/sent/", {"sent_on": tomorrow.isoformat(), "method": "email"})

    assert response.status_code == 400
    assert "not in the future" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.DUE


def test_acknowledging_before_sending_is_refused(client, liaison, file_case, team, roster):
    referral = resign(file_case, team, roster, days_ago=2)
    client.force_login(liaison)

    response = client.post(f"{QUEUE}{referral.pk}/acknowledged/",
                           {"acknowledged_on": timezone.localdate().isoformat()})

    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == Status.DUE


def test_supervisor_closes_with_a_reason_and_it_stays_visible(client, team, file_case, roster):
    referral = resign(file_case, team, roster, days_ago=2)
    client.force_login(team["supervisor"])

    assert client.post(f"{QUEUE}{referral.pk}/close/", {"reason": ""}).status_code == 400
    response = client.post(f"{QUEUE}{referral.pk}/close/", {"reason": "Notice was served after he resigned."})

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    assert referral.closed_reason == "Notice was served after he resigned."
    closed = client.get(QUEUE, {"tab": "closed"})
    assert listed(closed) == [referral.pk]
    detail = client.get(f"{QUEUE}{referral.pk}/").content.decode()
    assert "Notice was served after he resigned." in detail


def test_liaison_may_not_close_and_supervisor_may_not_send_or_export(client, liaison, team, file_case, roster):
    referral = resign(file_case, team, roster, days_ago=2)
    today = timezone.localdate().isoformat()

    client.force_login(liaison)
    assert client.post(f"{QUEUE}{referral.pk}/close/", {"reason": "no"}).status_code == 403
    client.force_login(team["supervisor"])
    assert client.post(f"{QUEUE}{referral.pk}/sent/", {"sent_on": today, "method": "mail"}).status_code == 403
    assert client.get(f"{QUEUE}{referral.pk}/export.pdf").status_code == 403
    referral.refresh_from_db()
    assert referral.status == Status.DUE


@pytest.mark.parametrize("role", [roles.INVESTIGATOR, roles.CHIEF, roles.INTAKE_COORDINATOR, roles.ADMINISTRATOR])
def test_other_roles_get_403_on_the_queue(client, team, file_case, roster, role):
    referral = resign(file_case, team, roster, days_ago=2)
    client.force_login(team[role])

    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}{referral.pk}/").status_code == 403
    assert client.get(QUEUE, {"tab": "sent"}).status_code == 403


def test_user_without_any_role_gets_403(client, make_user):
    client.force_login(make_user())

    assert client.get(QUEUE).status_code == 403


def test_queue_is_paginated_with_a_fixed_number_of_queries_per_page(client, liaison, file_case, team, roster):
    client.force_login(liaison)
    resign(file_case, team, roster, days_ago=1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(QUEUE).status_code == 200
    for days in range(2, 28):
        resign(file_case, team, roster, days_ago=days % 9 + 1)
    with CaptureQueriesContext(connection) as full:
        first = client.get(QUEUE)
    second = client.get(QUEUE, {"page": 2})

    assert len(listed(first)) == 25 and len(listed(second)) == 2
    assert set(listed(first)).isdisjoint(listed(second))
    assert len(full) == len(one)


def test_referral_case_walked_to_investigating_shows_on_the_detail_page(client, liaison, case, team, roster):
    walk(case, team, "investigating")
    services.record_officer_separation(roster["officer"], by=team["investigator"], investigation=case,
                                       separation_date=timezone.localdate(), reason="retired", notice_served=True)
    referral = Referral.objects.get()
    client.force_login(liaison)

    page = client.get(f"{QUEUE}{referral.pk}/").content.decode()

    assert "il-a4-resigned-retired-under-investigation" in page
    assert f"{QUEUE}{referral.pk}/export.pdf" in page
    assert referral.due_date.isoformat() in page
