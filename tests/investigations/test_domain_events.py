"""Follow-ups are called, not overheard: each action sends its one named event, no model receiver carries a
rule, and each action's query count stays small (it was 53 for approving findings and 71 for final discipline
when referral rules ran from post_save receivers, twice per action)."""

import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext

from investigations import services
from investigations.models import Investigation
from investigations.signals import case_decided
from referrals.models import Referral
from tests.factories import sustained, walk

pytestmark = pytest.mark.django_db

# Upper bounds as measured (two allegations, one officer). About five of them are the hash chain of each history
# row written; the referral rules add about ten, once; the filer's notice (has the public step changed?) one, and
# the closing check for open tasks one; the commit-time history guard's savepoint around each record save a few;
# early intervention one (the officers whose evaluation is sent to a background job after the commit).
# Each staff notification adds about 13 (who may see the case, asked afresh; the row and its chained history row):
# approving sustained findings tells the investigator and the chief, a new referral tells the liaison.
APPROVE_MAX = 78
DISCIPLINE_MAX = 72
CHANGE_MAX = 32
SEPARATION_MAX = 38

# simple-history writes the history rows; nothing else may listen to our models' saves and deletes.
# History rows (simple-history) and django-axes' own bookkeeping of its sign-in attempts: no business rule of ours.
ALLOWED_RECEIVER_MODULES = {"simple_history.models", "axes.signals"}


def test_no_model_signal_receiver_carries_a_business_rule():
    found = set()
    for model in apps.get_models():
        for signal in (signals.pre_save, signals.post_save, signals.pre_delete, signals.post_delete):
            for receiver in signal._live_receivers(model)[0]:
                module = getattr(receiver, "__module__", "")
                if module not in ALLOWED_RECEIVER_MODULES:
                    found.add((model._meta.label, module, getattr(receiver, "__qualname__", repr(receiver))))
    assert found == set()


@pytest.fixture
def events():
    sent = []

    def listen(sender, investigation, event, **kwargs):
        sent.append((investigation.pk, event))

    case_decided.connect(listen, dispatch_uid="test.events")
    yield sent
    case_decided.disconnect(dispatch_uid="test.events")


def test_filing_a_complaint_opens_its_investigation(case):
    assert Investigation.objects.get(complaint=case.complaint).state == "received"


def test_approving_findings_sends_one_event_and_stays_small(case, team, events):
    walk(case, team, "supervisor_review", disposition=sustained())

    with CaptureQueriesContext(connection) as queries:
        services.approve_findings(case, by=team["supervisor"])

    assert events == [(case.pk, "findings approved")]
    assert len(queries) <= APPROVE_MAX, len(queries)


def test_final_discipline_evaluates_referrals_once_and_stays_small(case, team, certified, events):
    walk(case, team, "findings_approved", disposition=sustained())
    events.clear()

    with CaptureQueriesContext(connection) as queries:
        services.record_final_discipline(case, certified, by=team["chief"], outcome="termination",
                                         effective_date=datetime.date(2026, 3, 2), reason="unlawful force")

    assert events == [(case.pk, "discipline recorded (final)")]
    referral = Referral.objects.get(investigation=case)
    assert referral.history.count() == 1  # created once, not re-saved by a second evaluation
    assert len(queries) <= DISCIPLINE_MAX, len(queries)


def test_a_discipline_change_and_a_separation_each_send_one_event(case, team, certified, events):
    walk(case, team, "findings_approved", disposition=sustained())
    decision = services.record_final_discipline(case, certified, by=team["chief"], outcome="termination",
                                                effective_date=datetime.date(2026, 3, 2), reason="force")
    events.clear()

    with CaptureQueriesContext(connection) as change_queries:
        services.record_discipline_change(decision, by=team["chief"], kind="arbitration", outcome="suspension",
                                          suspension_days=5, effective_date=datetime.date(2026, 5, 1),
                                          reason="arbitration award")
    with CaptureQueriesContext(connection) as separation_queries:
        services.record_officer_separation(certified, by=team["supervisor"], investigation=case,
                                           separation_date=datetime.date(2026, 6, 1), reason="resigned")

    assert [event for _pk, event in events] == ["discipline recorded (arbitration)",
                                                "a separation (resigned)"]
    assert len(change_queries) <= CHANGE_MAX, len(change_queries)
    assert len(separation_queries) <= SEPARATION_MAX, len(separation_queries)


