"""The public status the follow-up portal shows: plain steps and public reasons only."""

import pytest

from investigations import services
from investigations.public import public_status
from tests.factories import walk

pytestmark = pytest.mark.django_db


def labels(status):
    return [str(step["label"]) for step in status["timeline"]]


def test_new_complaint_is_received(case):
    status = public_status(case.complaint)
    assert labels(status) == ["Complaint received"]
    assert "waiting to be reviewed" in str(status["label"])


def test_steps_of_an_investigation_closed_and_reopened(case, team):
    walk(case, team, "findings_approved")
    services.close_investigation(case, by=team["supervisor"], reason="internal note: weak witness")
    services.reopen_investigation(case, by=team["supervisor"], reason="new video from a staff source",
                                  public_reason="New evidence was received.")
    status = public_status(case.complaint)
    assert labels(status) == ["Complaint received", "Under review", "Being investigated",
                              "Under supervisor review", "Decision made", "Closed", "Reopened"]
    assert status["timeline"][-1]["reason"] == "New evidence was received."
    text = repr(status)
    assert "weak witness" not in text and "staff source" not in text
    assert team["investigator"].username not in text


def test_referral_shows_the_public_reason_only(case, team):
    services.refer_out(case, by=team["intake"], referred_to="County prosecutor", reason="crime alleged; see memo",
                       public_reason="Sent to the prosecutor, who handles crimes.")
    status = public_status(case.complaint)
    assert labels(status)[-1] == "Referred to another agency"
    assert status["timeline"][-1]["reason"] == "Sent to the prosecutor, who handles crimes."
    assert "memo" not in repr(status)
    assert "Referred" in str(status["label"])
