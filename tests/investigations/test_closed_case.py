"""Closed means closed: only reopening (with a reason) changes a closed case, and no task is left open silently."""

import pytest

from investigations import services
from investigations.models import Investigation, State, Task
from tests.factories import sustained, walk

pytestmark = pytest.mark.django_db


def add(case, what):
    return f"/staff/cases/{case.complaint.reference}/add/{what}/"


def do(case, action):
    return f"/staff/cases/{case.complaint.reference}/do/{action}/"


def closed_case(case, team):
    walk(case, team, "findings_approved")
    services.close_investigation(case, by=team["supervisor"], reason="nothing sustained")
    return Investigation.objects.get(pk=case.pk)


@pytest.mark.parametrize("who", ["investigator", "supervisor"])
@pytest.mark.parametrize("what,data", [
    ("note", {"body": "A late note typed after closure"}),
    ("task", {"title": "A late task typed after closure"}),
    ("message", {"body": "A late message typed after closure", "language": "es"}),
    ("translation", {"language": "en", "text": "A late translation typed after closure"}),
])
def test_nothing_is_added_to_a_closed_case(client, case, team, who, what, data):
    case = closed_case(case, team)
    client.force_login(team[who])
    response = client.post(add(case, what), data)
    assert response.status_code == 409
    text = response.content.decode()
    assert "reopens it" in text and "typed after closure" in text
    assert not case.notes.exists() and not case.tasks.exists()
    assert not case.complaint.messages.exists() and not case.complaint.translations.exists()


def test_closed_case_page_offers_no_forms_but_reopen(client, case, team):
    case = closed_case(case, team)
    client.force_login(team["supervisor"])
    page = client.get(f"/staff/cases/{case.complaint.reference}/").content.decode()
    assert "/add/note/" not in page and "/add/task/" not in page and "/add/message/" not in page
    assert "/do/reopen/" in page


def test_reopened_case_takes_notes_again(client, case, team):
    case = closed_case(case, team)
    services.reopen_investigation(case, by=team["supervisor"], reason="new video")
    client.force_login(team["investigator"])
    assert client.post(add(case, "note"), {"body": "Watched the new video."}).status_code == 302
    assert case.notes.get().body == "Watched the new video."


def test_task_cannot_be_ticked_off_on_a_closed_case(client, case, team):
    walk(case, team, "findings_approved")
    task = services.add_task(case, by=team["supervisor"], title="Return the phone")
    services.close_with_task_decisions(case, by=team["supervisor"], decisions={task: "carried_over"},
                                       close=lambda: services.close_investigation(case, by=team["supervisor"]))
    client.force_login(team["supervisor"])
    client.post(f"/staff/cases/{case.complaint.reference}/tasks/{task.pk}/done/")
    assert Task.objects.get(pk=task.pk).done_at is None


def test_closing_lists_open_tasks_and_needs_a_decision_for_each(client, case, team):
    walk(case, team, "findings_approved")
    done = services.add_task(case, by=team["investigator"], title="Get body-cam video")
    later = services.add_task(case, by=team["investigator"], title="Return the complainant's phone")
    client.force_login(team["supervisor"])
    form = client.get(do(case, "close")).content.decode()
    assert "Get body-cam video" in form and "Return the complainant&#x27;s phone" in form
    response = client.post(do(case, "close"), {"expected_state": "findings_approved", "reason": "Typed reason"})
    assert response.status_code == 400
    assert "Typed reason" in response.content.decode()
    assert Investigation.objects.get(pk=case.pk).state == State.FINDINGS_APPROVED
    response = client.post(do(case, "close"), {"expected_state": "findings_approved", "reason": "nothing sustained",
                                               f"task_{done.pk}": "done", f"task_{later.pk}": "carried_over"})
    assert response.status_code == 302
    assert Investigation.objects.get(pk=case.pk).state == State.CLOSED
    assert Task.objects.get(pk=done.pk).done_at is not None
    carried = Task.objects.get(pk=later.pk)
    assert carried.done_at is None and carried.carried_over_at is not None
    assert carried.history.first().history_change_reason.startswith("task carried over")


def test_last_discipline_decision_waits_for_open_tasks(client, case, team, roster):
    walk(case, team, "findings_approved", disposition=sustained())
    task = services.add_task(case, by=team["supervisor"], title="Serve the notice")
    client.force_login(team["chief"])
    data = {"officer": roster["officer"].pk, "outcome": "counseling", "effective_date": "2026-12-01",
            "reason": "First incident", "expected_state": "findings_approved"}
    response = client.post(add(case, "discipline"), data)
    assert response.status_code == 400
    assert "Serve the notice" in response.content.decode() and "First incident" in response.content.decode()
    assert not case.discipline_decisions.exists()
    client.force_login(team["supervisor"])
    client.post(f"/staff/cases/{case.complaint.reference}/tasks/{task.pk}/carry-over/", {"note": "after closure"})
    client.force_login(team["chief"])
    assert client.post(add(case, "discipline"), data).status_code == 302
    assert Investigation.objects.get(pk=case.pk).state == State.CLOSED


def test_open_tasks_refuse_closure_through_the_service(case, team):
    walk(case, team, "findings_approved")
    services.add_task(case, by=team["investigator"], title="Canvass the block")
    with pytest.raises(services.OpenTasks):
        services.close_investigation(case, by=team["supervisor"])
    assert Investigation.objects.get(pk=case.pk).state == State.FINDINGS_APPROVED
