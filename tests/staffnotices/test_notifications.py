"""Work finds the person: a notification and an e-mail for each event, in each person's language and never with
case details; a daily digest instead for those who choose it; the bell on every staff page."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from complaints import roles
from complaints.history import recorded
from investigations import services
from staffnotices import services as staff_notices
from staffnotices.models import DigestSent, Kind, StaffNotification
from tests.factories import sustained, walk

pytestmark = pytest.mark.django_db

# What the case holds that no e-mail may carry: the filer's and witness's names, the account, the officer.
DETAILS = ("Rosa", "Díaz", "Sam Lee", "shoved", "Patrol", "2147", "excessive", "discourtesy")


@pytest.fixture
def people(team):
    for key in ("investigator", "other investigator", "supervisor", "other supervisor", "chief", "intake",
                roles.POST_LIAISON, "auditor"):
        user = team[key]
        user.email = f"{user.username}@agency.example"
        user.save()
    return team


def prefer(user, language="en", delivery="immediate"):
    staff_notices.set_preference(user, language=language, delivery=delivery)


def action(client, case, name, **data):
    data.setdefault("expected_state", case.state)
    response = client.post(f"/staff/cases/{case.complaint.reference}/do/{name}/", data)
    case.refresh_from_db()
    return response


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def assert_no_details(message, case):
    text = message.subject + message.body
    assert case.complaint.reference not in text
    for word in DETAILS:
        assert word not in text, word


def phrase(text, language):
    with translation.override(language):
        return gettext(text)


def assigned_over_http(client, case, people, capture):
    walk(case, people, "triaged")
    client.force_login(people["supervisor"])
    with capture(execute=True):
        response = action(client, case, "assign", investigator=people["investigator"].pk, attested="on")
    assert response.status_code == 302
    return case


def test_assignment_tells_the_investigator_with_a_link_and_no_details(
        client, case, people, django_capture_on_commit_callbacks):
    assigned_over_http(client, case, people, django_capture_on_commit_callbacks)
    notification = StaffNotification.objects.get(recipient=people["investigator"])
    assert notification.kind == Kind.ASSIGNED and notification.investigation == case
    [message] = mails_to(people["investigator"])
    assert message.subject == "A case needs your attention"
    assert "A case was assigned to you." in message.body
    assert f"{settings.STAFF_SITE_URL}/staff/me/notifications/{notification.pk}/" in message.body
    assert_no_details(message, case)
    assert len(mail.outbox) == 1  # nobody else hears of it


def test_the_link_opens_the_case_once_signed_in_and_marks_it_read(
        client, case, people, django_capture_on_commit_callbacks):
    assigned_over_http(client, case, people, django_capture_on_commit_callbacks)
    notification = StaffNotification.objects.get(recipient=people["investigator"])
    address = f"/staff/me/notifications/{notification.pk}/"
    client.logout()
    assert client.get(address)["Location"].startswith("/staff/login/")
    client.force_login(people["other investigator"])
    assert client.get(address).status_code == 404  # someone else's notification
    client.force_login(people["investigator"])
    response = client.get(address)
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.complaint.reference}/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_return_from_review_tells_the_investigator(client, case, people, django_capture_on_commit_callbacks):
    walk(case, people, "supervisor_review")
    mail.outbox.clear()
    client.force_login(people["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        assert action(client, case, "return_for_more_work", reason="Interview the witness").status_code == 302
    [message] = mails_to(people["investigator"])
    assert "A case you investigated was returned to you after review." in message.body
    assert "witness" not in message.body  # the supervisor's reasons stay in the case
    assert_no_details(message, case)
    assert StaffNotification.objects.filter(recipient=people["investigator"], kind=Kind.RETURNED).count() == 1


def test_a_refused_return_tells_nobody(client, case, people, django_capture_on_commit_callbacks):
    walk(case, people, "supervisor_review")
    client.force_login(people["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        assert action(client, case, "return_for_more_work", reason="").status_code == 400
    assert not StaffNotification.objects.filter(kind=Kind.RETURNED).exists()
    assert mails_to(people["investigator"]) == []


def test_approval_tells_the_investigator_and_a_sustained_case_asks_the_chief_for_a_decision(
        client, case, people, django_capture_on_commit_callbacks):
    walk(case, people, "supervisor_review", disposition=sustained())
    mail.outbox.clear()
    client.force_login(people["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        assert action(client, case, "approve").status_code == 302
    [approved] = mails_to(people["investigator"])
    assert "The findings of a case you investigated were approved." in approved.body
    [decision] = mails_to(people["chief"])
    assert "A case is waiting for your discipline decision." in decision.body
    for message in (approved, decision):
        assert_no_details(message, case)


def test_approval_with_nothing_sustained_asks_no_decision(client, case, people, django_capture_on_commit_callbacks):
    walk(case, people, "supervisor_review")
    client.force_login(people["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        assert action(client, case, "approve").status_code == 302
    assert not StaffNotification.objects.filter(kind=Kind.DECISION_DUE).exists()
    assert mails_to(people["chief"]) == []


def test_a_new_post_referral_tells_the_liaison(case, people, roster, django_capture_on_commit_callbacks):
    walk(case, people, "investigating")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_officer_separation(roster["officer"], by=people["supervisor"], investigation=case,
                                           reason="retired", separation_date=timezone.localdate(),
                                           notice_served=True)
    liaison = people[roles.POST_LIAISON]
    notification = StaffNotification.objects.get(recipient=liaison)
    assert notification.kind == Kind.REFERRAL_DUE and notification.referral.investigation == case
    [message] = mails_to(liaison)
    assert "A POST referral is due to be sent." in message.body
    assert_no_details(message, case)


@pytest.mark.parametrize("language", ["es", "ar", "zh-hans", "uk"])
def test_each_person_gets_e_mails_in_their_own_language(
        client, case, people, language, django_capture_on_commit_callbacks):
    prefer(people["investigator"], language=language)
    assigned_over_http(client, case, people, django_capture_on_commit_callbacks)
    [message] = mails_to(people["investigator"])
    subject = phrase("A case needs your attention", language)
    assert subject != "A case needs your attention", "not translated"
    assert message.subject == subject
    assert phrase("A case was assigned to you.", language) in message.body
    assert phrase("For privacy, this message does not name any case.", language) in message.body
    assert_no_details(message, case)


def test_digest_preference_sends_nothing_at_once(client, case, people, django_capture_on_commit_callbacks):
    prefer(people["investigator"], delivery="digest")
    assigned_over_http(client, case, people, django_capture_on_commit_callbacks)
    assert StaffNotification.objects.filter(recipient=people["investigator"]).count() == 1
    assert mails_to(people["investigator"]) == []


def test_daily_digest_lists_counts_of_unread_and_overdue_work_once_a_day(
        client, case, people, django_capture_on_commit_callbacks):
    investigator = people["investigator"]
    prefer(investigator, language="es", delivery="digest")
    assigned_over_http(client, case, people, django_capture_on_commit_callbacks)
    services.add_task(case, by=investigator, title="Call Rosa Díaz back",
                      due_on=timezone.localdate() - datetime.timedelta(days=2))
    call_command("send_staff_digest", verbosity=0)
    [digest] = mails_to(investigator)
    assert digest.subject == phrase("Your daily summary: work waiting for you", "es")
    with translation.override("es"):
        assert f"{gettext('Overdue tasks')}: 1" in digest.body
    assert "/staff/me/notifications/" in digest.body
    assert_no_details(digest, case)
    assert "Call" not in digest.body
    call_command("send_staff_digest", verbosity=0)
    call_command("send_staff_digest", verbosity=0)
    assert len(mails_to(investigator)) == 1
    assert DigestSent.objects.filter(recipient=investigator).count() == 1
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    call_command("send_staff_digest", date=tomorrow, verbosity=0)
    assert len(mails_to(investigator)) == 2


def test_no_digest_when_nothing_waits_nor_for_those_who_chose_immediate(people):
    prefer(people["supervisor"], delivery="digest")
    prefer(people["investigator"], delivery="immediate")
    call_command("send_staff_digest", verbosity=0)
    assert mail.outbox == [] and not DigestSent.objects.exists()


def test_bell_counts_unread_notifications_on_every_staff_page(client, case, people,
                                                               django_capture_on_commit_callbacks):
    assigned_over_http(client, case, people, django_capture_on_commit_callbacks)
    investigator = people["investigator"]
    client.force_login(investigator)
    page = client.get("/staff/").content.decode()
    assert 'id="unread-count">1</span>' in page
    assert 'id="unread-count">1</span>' in client.get("/staff/my-tasks/").content.decode()
    listing = client.get("/staff/me/notifications/").content.decode()
    assert "A case was assigned to you." in listing and case.complaint.reference in listing
    assert client.post("/staff/me/notifications/read/").status_code == 302
    assert 'id="unread-count">0</span>' in client.get("/staff/").content.decode()
    client.force_login(people["other investigator"])
    assert 'id="unread-count">0</span>' in client.get("/staff/").content.decode()


def test_a_case_reassigned_away_no_longer_counts(client, case, people, django_capture_on_commit_callbacks):
    assigned_over_http(client, case, people, django_capture_on_commit_callbacks)
    services.start_investigation(case, by=people["investigator"])
    services.reassign_investigator(case, people["other investigator"], by=people["supervisor"], attested=True,
                                   reason="caseload")
    client.force_login(people["investigator"])
    page = client.get("/staff/").content.decode()
    assert 'id="unread-count">0</span>' in page
    client.force_login(people["other investigator"])
    assert 'id="unread-count">1</span>' in client.get("/staff/").content.decode()


def test_settings_page_saves_language_and_delivery_and_refuses_nonsense(client, people):
    investigator = people["investigator"]
    client.force_login(investigator)
    assert client.get("/staff/me/settings/").status_code == 200
    response = client.post("/staff/me/settings/", {"language": "xx", "delivery": "digest"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert staff_notices.preference_of(investigator).pk is None
    assert client.post("/staff/me/settings/", {"language": "ar", "delivery": "digest"}).status_code == 302
    preference = staff_notices.preference_of(investigator)
    assert (preference.language, preference.delivery) == ("ar", "digest")


# -- the accused are never told about their own case -----------------------------------------------------------


@pytest.fixture
def accused(make_user, roster):
    """A chief, a supervisor and a liaison who are each the accused officer (the same roster entry, for brevity:
    one person each in turn)."""

    def make(role):
        user = make_user(role, username=f"accused-{role.replace(' ', '-').lower()}", email=f"{role[:3]}@x.example")
        with recorded(label="test", reason="the accused officer's account"):
            roster["officer"].user = user
            roster["officer"].save()
        return user

    return make


def test_an_accused_chief_gets_no_decision_due(client, case, people, accused, django_capture_on_commit_callbacks):
    chief = accused(roles.CHIEF)
    walk(case, people, "supervisor_review", disposition=sustained())
    client.force_login(people["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        assert action(client, case, "approve").status_code == 302
    assert not StaffNotification.objects.filter(recipient=chief).exists()
    assert mails_to(chief) == []
    assert len(mails_to(people["chief"])) == 1
    client.force_login(chief)
    assert case.complaint.reference not in client.get("/staff/awaiting-decision/").content.decode()


def test_an_accused_liaison_gets_no_referral_notice(case, people, roster, accused,
                                                   django_capture_on_commit_callbacks):
    liaison = accused(roles.POST_LIAISON)
    walk(case, people, "investigating")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_officer_separation(roster["officer"], by=people["supervisor"], investigation=case,
                                           reason="retired", separation_date=timezone.localdate(),
                                           notice_served=True)
    assert not StaffNotification.objects.filter(recipient=liaison).exists()
    assert StaffNotification.objects.filter(recipient=people[roles.POST_LIAISON]).count() == 1


def test_an_accused_supervisor_has_nothing_about_her_case_to_review_or_count(client, case, people, accused):
    supervisor = accused(roles.SUPERVISOR)
    walk(case, people, "supervisor_review")
    with recorded(label="test", reason="a notification written before she was found to be the officer"):
        StaffNotification.objects.create(recipient=supervisor, kind=Kind.ASSIGNED, investigation=case)
    prefer(supervisor, delivery="digest")
    client.force_login(supervisor)
    assert case.complaint.reference not in client.get("/staff/awaiting-review/").content.decode()
    assert 'id="unread-count">0</span>' in client.get("/staff/").content.decode()
    assert case.complaint.reference not in client.get("/staff/me/notifications/").content.decode()
    call_command("send_staff_digest", verbosity=0)
    assert mails_to(supervisor) == []
