"""Rate limits hold when many tries arrive at once: each try takes its place in the counter before the work."""

import threading

import pytest
from django.core import mail
from django.db import connections

from complaints.models import Complaint
from intake import ratelimit

from .conftest import shown_code, shown_reference

pytestmark = pytest.mark.django_db


def at_once(count, work):
    results, start = [], threading.Barrier(count)

    def run():
        start.wait()
        try:
            results.append(work())
        finally:
            connections.close_all()  # each thread's own database connection, or PostgreSQL keeps it open

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("limit", [5, 10])
def test_twenty_tries_at_once_get_exactly_the_limit_through(shared_cache, limit):
    complaints = ratelimit.Limit("complaints", limit, 3600)
    allowed = at_once(20, lambda: complaints.take("one-address"))
    assert allowed.count(True) == limit
    assert complaints.count("one-address") == limit  # refused tries gave their place back


def test_files_take_as_many_places_as_there_are_files(shared_cache):
    files = ratelimit.Limit("files", 10, 3600)
    assert files.take("address", 8)
    assert not files.take("address", 3)
    assert files.take("address", 2)
    assert not files.take("address", 1)


def test_wrong_codes_sent_at_once_from_one_address_stop_at_its_limit(shared_cache, settings):
    settings.FOLLOW_UP_FAILURES_PER_ADDRESS = 5
    from django.test import RequestFactory

    from intake.views import CodeRefused, _complaint_for_code

    def wrong_try():
        try:
            _complaint_for_code(RequestFactory().post("/", REMOTE_ADDR="198.51.100.9"), "C-2026-000001", "WRONG")
        except CodeRefused as refused:
            return "limited" if refused.rate_limited else "wrong"
        return "opened"

    outcomes = at_once(20, wrong_try)
    assert outcomes.count("wrong") == 5
    assert outcomes.count("limited") == 15


def test_messages_per_complaint_per_day_are_limited_with_a_translated_answer(client, filing, settings):
    settings.FOLLOW_UP_MESSAGES_PER_DAY = 3
    response = filing({"filer_role": "harmed", "name": "Pat"})
    client.post("/es/follow-up/", {"reference": shown_reference(response), "code": shown_code(response)})
    for n in range(3):
        assert client.post("/es/follow-up/case/", {"action": "message", "body": f"Mensaje {n}"}).status_code == 200
    refused = client.post("/es/follow-up/case/", {"action": "message", "body": "Mensaje de más"})
    assert refused.status_code == 429
    assert "Mensaje de más" in refused.content.decode()  # what was typed is kept
    assert "You have sent the most messages" not in refused.content.decode()  # Spanish, not English
    assert Complaint.objects.get().messages.count() == 3


def test_retaliation_reports_per_complaint_per_day_are_limited(client, filing, settings):
    settings.FOLLOW_UP_RETALIATION_REPORTS_PER_DAY = 2
    response = filing({"filer_role": "harmed", "name": "Pat"})
    client.post("/en/follow-up/", {"reference": shown_reference(response), "code": shown_code(response)})
    for n in range(2):
        client.post("/en/follow-up/case/", {"action": "retaliation", "description": f"A car outside, night {n}"})
    refused = client.post("/en/follow-up/case/", {"action": "retaliation", "description": "Again tonight"})
    assert refused.status_code == 429
    assert "You have sent the most reports we can take online in one day." in refused.content.decode()
    assert Complaint.objects.get().retaliation_reports.count() == 2


def test_a_message_over_the_length_limit_is_refused_and_kept(client, filing):
    response = filing({"filer_role": "harmed", "name": "Pat"})
    client.post("/en/follow-up/", {"reference": shown_reference(response), "code": shown_code(response)})
    refused = client.post("/en/follow-up/case/", {"action": "message", "body": "x" * 20001})
    assert refused.status_code == 400
    assert "Please make this shorter." in refused.content.decode()
    assert not Complaint.objects.get().messages.exists()


def test_a_burst_of_wrong_codes_everywhere_alerts_the_administrators_once(client, settings):
    settings.ADMINS = [("Security", "security@example.org")]
    settings.FOLLOW_UP_FAILURES_ALERT = 4
    for n in range(8):  # from many addresses, so no single one is limited
        client.post("/en/follow-up/", {"reference": f"C-2026-{n:06d}", "code": "WRONG"}, REMOTE_ADDR=f"10.2.0.{n}")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["security@example.org"]
    assert "wrong follow-up codes" in mail.outbox[0].subject
