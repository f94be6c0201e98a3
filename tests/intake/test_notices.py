"""Filers hear back: "there is news, sign in with your code" in their language, never what the news is."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from complaints import roles
from complaints.history import recorded
from complaints.models import Complaint
from investigations import services
from notices import sms
from notices.models import NoticeAddress

from .conftest import shown_code, shown_reference

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
STAFF_WORDS = "Please send us the video from the bus stop"


@pytest.fixture
def people(make_user, roster):
    investigator = make_user(roles.INVESTIGATOR)
    with recorded(label="test", reason="investigator's roster entry"):
        roster["investigator"].user = investigator
        roster["investigator"].save()
    return {"investigator": investigator, "supervisor": make_user(roles.SUPERVISOR),
            "intake": make_user(roles.INTAKE_COORDINATOR)}


def file_by_email(filing, language, email="pat@example.org"):
    response = filing({"filer_role": "harmed", "name": "Pat", "email": email, "contact_method": "email",
                       "preferred_language": language}, language=language)
    return Complaint.objects.get(reference=shown_reference(response)), shown_code(response)


def assigned(complaint, people):
    case = complaint.investigation
    services.triage_complaint(case, by=people["intake"], reason="ok")
    services.assign_investigator(case, people["investigator"], by=people["supervisor"], attested=True)
    return case


def news_subject(language):
    with translation.override(language):
        return gettext("There is news about your complaint")


@pytest.mark.parametrize("language", LANGUAGES)
def test_filer_gets_news_of_a_message_in_their_language_without_its_words(
        filing, people, language, django_capture_on_commit_callbacks):
    complaint, _code = file_by_email(filing, language)
    case = assigned(complaint, people)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(case, by=people["investigator"], body=STAFF_WORDS)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["pat@example.org"]
    assert sent.subject == news_subject(language)
    with translation.override(language):
        assert gettext("There is news about your complaint.") in sent.body
    assert f"/{language}/follow-up/" in sent.body
    assert STAFF_WORDS not in sent.body
    assert complaint.reference not in sent.body + sent.subject
    assert "bus stop" not in sent.body


def test_filer_hears_when_the_public_step_changes_and_not_for_internal_moves(
        filing, people, django_capture_on_commit_callbacks):
    complaint, _code = file_by_email(filing, "pl")
    case = complaint.investigation
    with django_capture_on_commit_callbacks(execute=True):
        services.triage_complaint(case, by=people["intake"], reason="ok")
    assert [m.subject for m in mail.outbox] == [news_subject("pl")]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # Triaged and assigned are both "under review" to the public: no news.
        services.assign_investigator(case, people["investigator"], by=people["supervisor"], attested=True)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.start_investigation(case, by=people["investigator"])
    assert [m.subject for m in mail.outbox] == [news_subject("pl")]


def test_refused_action_sends_nothing(filing, people, django_capture_on_commit_callbacks):
    complaint, _code = file_by_email(filing, "es")
    case = assigned(complaint, people)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.NotPermitted):
        services.send_message(case, by=people["intake"], body=STAFF_WORDS)
    assert mail.outbox == []


def test_filer_who_chose_only_the_follow_up_page_gets_no_mail(filing, people, django_capture_on_commit_callbacks):
    response = filing({"filer_role": "harmed", "name": "Pat", "email": "pat@example.org", "contact_method": "none"})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    case = assigned(complaint, people)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(case, by=people["investigator"], body=STAFF_WORDS)
    assert mail.outbox == []


def sign_in(client, complaint, code):
    client.post("/en/follow-up/", {"reference": complaint.reference, "code": code})


def test_anonymous_filer_opts_in_with_an_address_kept_apart_from_the_complaint(
        client, filing, people, django_capture_on_commit_callbacks):
    response = filing(language="ur")
    complaint = Complaint.objects.get(reference=shown_reference(response))
    sign_in(client, complaint, shown_code(response))
    page = client.post("/ur/follow-up/case/", {"action": "notices", "email": "quiet@example.org"})
    assert page.status_code == 200
    with translation.override("ur"):
        assert gettext("Thank you. We will tell you when there is news.") in page.content.decode()
    assert not complaint.parties.exists()
    assert NoticeAddress.objects.get(complaint=complaint).language == "ur"
    case = assigned(complaint, people)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(case, by=people["investigator"], body=STAFF_WORDS)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["quiet@example.org"], news_subject("ur"))]


def test_no_staff_page_shows_a_notice_address(client, filing, people, staff):
    response = filing()
    complaint = Complaint.objects.get(reference=shown_reference(response))
    sign_in(client, complaint, shown_code(response))
    client.post("/en/follow-up/case/", {"action": "notices", "email": "quiet@example.org"})
    assigned(complaint, people)
    for user in [*staff.values(), *people.values()]:
        client.force_login(user)
        for url in (f"/staff/cases/{complaint.reference}/", "/staff/", "/staff/triage/", "/staff/caseload/",
                    f"/staff/search/?q={complaint.reference}"):
            page = client.get(url)
            assert "quiet@example.org" not in page.content.decode(), (user, url)


def test_filer_can_stop_the_news(client, filing, people, django_capture_on_commit_callbacks):
    response = filing()
    complaint = Complaint.objects.get(reference=shown_reference(response))
    sign_in(client, complaint, shown_code(response))
    client.post("/en/follow-up/case/", {"action": "notices", "email": "quiet@example.org"})
    client.post("/en/follow-up/case/", {"action": "stop_notices"})
    case = assigned(complaint, people)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(case, by=people["investigator"], body=STAFF_WORDS)
    assert mail.outbox == []
    assert NoticeAddress.objects.get(complaint=complaint).active is False


def test_opt_in_without_an_address_is_refused_with_a_message(client, filing):
    response = filing(language="es")
    complaint = Complaint.objects.get(reference=shown_reference(response))
    sign_in(client, complaint, shown_code(response))
    page = client.post("/es/follow-up/case/", {"action": "notices", "email": ""})
    with translation.override("es"):
        assert gettext("Please give an e-mail address.") in page.content.decode()
    assert not NoticeAddress.objects.exists()


def test_text_messages_are_off_by_default_and_sent_through_the_configured_backend(
        client, filing, people, settings, django_capture_on_commit_callbacks):
    response = filing({"filer_role": "harmed", "name": "Pat", "phone": "555-0199", "contact_method": "text",
                       "preferred_language": "vi"}, language="vi")
    complaint = Complaint.objects.get(reference=shown_reference(response))
    case = assigned(complaint, people)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(case, by=people["investigator"], body=STAFF_WORDS)
    assert sms.outbox == []
    settings.NOTICE_SMS_BACKEND = "notices.sms.MemoryBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(case, by=people["investigator"], body=STAFF_WORDS)
    assert [text["to"] for text in sms.outbox] == ["555-0199"]
    assert "/vi/follow-up/" in sms.outbox[0]["text"]
    assert STAFF_WORDS not in sms.outbox[0]["text"]


def test_policy_lets_no_staff_role_see_a_notice_address(staff):
    from notices.policies import may_see_notice_address

    assert not any(may_see_notice_address(user) for user in staff.values())


def test_a_local_public_site_address_is_flagged_for_deployment(settings):
    from django.core.checks import run_checks

    settings.PUBLIC_SITE_URL = "http://127.0.0.1:8000"
    assert "notices.W001" in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.PUBLIC_SITE_URL = "https://complaints.example.gov"
    assert "notices.W001" not in [m.id for m in run_checks(include_deployment_checks=True)]


def test_a_mistyped_text_message_backend_is_flagged_at_start_up(settings):
    from django.core.checks import run_checks

    settings.NOTICE_SMS_BACKEND = "notices.sms.NoSuchBackend"
    assert "notices.W002" in [m.id for m in run_checks()]
