"""Refused staff actions come back as the same form, with what was typed and a message: 400 or 409, never 500."""

import pytest
from django.utils import translation

from complaints.models import Disposition
from investigations import services
from investigations.models import Investigation, State
from tests.factories import sustained, walk

pytestmark = pytest.mark.django_db


def case_url(case, add):
    return f"/staff/cases/{case.complaint.reference}/add/{add}/"


def finding_data(allegation, disposition, reason=""):
    prefix = f"a{allegation.pk}"
    return {"allegation_id": allegation.pk, f"{prefix}-allegation": allegation.pk,
            f"{prefix}-disposition": disposition.pk, f"{prefix}-reason": reason}


def working(case, team):
    walk(case, team, "investigating")
    return team["investigator"]


def test_administratively_closed_finding_without_reason_is_refused_with_the_form_kept(client, case, team):
    client.force_login(working(case, team))
    allegation = case.complaint.allegations.first()
    closed = Disposition.objects.get(code="administratively-closed")
    response = client.post(case_url(case, "finding"), finding_data(allegation, closed))
    assert response.status_code == 400
    text = response.content.decode()
    assert "needs a reason" in text
    assert f'<option value="{closed.pk}" selected>' in text
    assert not case.findings.exists()


def test_finding_from_a_stale_tab_after_submission_is_a_409_not_a_500(client, case, team):
    walk(case, team, "supervisor_review")
    client.force_login(team["investigator"])
    allegation = case.complaint.allegations.first()
    response = client.post(case_url(case, "finding"), finding_data(allegation, sustained(), "Typed reason"))
    assert response.status_code == 409
    text = response.content.decode()
    assert "can&#x27;t be changed now" in text or "can't be changed now" in text
    assert case.findings.get(allegation=allegation, stage="recommended").disposition.code == "unfounded"


def test_finding_on_a_closed_case_is_refused(client, case, team):
    walk(case, team, "findings_approved")
    services.close_investigation(case, by=team["supervisor"], reason="nothing sustained")
    client.force_login(team["investigator"])
    allegation = case.complaint.allegations.first()
    response = client.post(case_url(case, "finding"), finding_data(allegation, sustained(), "late"))
    assert response.status_code == 409
    assert Investigation.objects.get(pk=case.pk).state == State.CLOSED


def test_refused_interview_comes_back_with_what_was_typed(client, case, team):
    client.force_login(working(case, team))
    response = client.post(case_url(case, "interview"), {
        "interviewee": "Officer Cy Patrol", "interviewee_role": "accused", "held_at": "2026-11-20T10:00",
        "kind": "in_person", "rights_notice": "n/a", "summary": "He denied pushing anyone.",
    })
    assert response.status_code == 400
    text = response.content.decode()
    assert "rights notice" in text
    assert 'value="Officer Cy Patrol"' in text and "He denied pushing anyone." in text
    assert not case.interviews.exists()


def test_refused_discipline_keeps_the_reason_typed(client, case, team, roster):
    walk(case, team, "findings_approved", disposition=sustained())
    client.force_login(team["chief"])
    response = client.post(case_url(case, "discipline"), {
        "officer": roster["officer"].pk, "outcome": "suspension", "effective_date": "2026-12-01",
        "reason": "Second use of force this year", "expected_state": "findings_approved",
    })
    assert response.status_code == 400
    text = response.content.decode()
    assert "number of days" in text
    assert "Second use of force this year" in text
    assert not case.discipline_decisions.exists()


def test_refused_discipline_from_a_stale_tab_is_a_409(client, case, team, roster):
    walk(case, team, "findings_approved", disposition=sustained())
    client.force_login(team["chief"])
    response = client.post(case_url(case, "discipline"), {
        "officer": roster["officer"].pk, "outcome": "counseling", "effective_date": "2026-12-01",
        "reason": "Typed before the case moved", "expected_state": "supervisor_review",
    })
    assert response.status_code == 409
    assert "Typed before the case moved" in response.content.decode()


def test_refusal_message_is_in_the_staff_members_language(client, case, team):
    client.force_login(working(case, team))
    allegation = case.complaint.allegations.first()
    closed = Disposition.objects.get(code="administratively-closed")
    # The request activates Spanish for this thread; override() puts the language back for the tests after this.
    with translation.override("en"):
        response = client.post(case_url(case, "finding"), finding_data(allegation, closed), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "necesita un motivo" in response.content.decode()
