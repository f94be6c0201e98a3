"""Closure the filer can read: the outcome per allegation in plain words, on the page and in a PDF letter."""

import datetime
import io

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from pypdf import PdfReader

from complaints import roles
from complaints.history import recorded
from complaints.models import Allegation, Category, Complaint, Disposition
from investigations import services
from investigations.models import DisciplineDecision
from investigations.public import FINDING_EXPLANATIONS

from .conftest import shown_code, shown_reference

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Scripts whose text pypdf gives back as typed (shaped scripts come back in glyph order).
EXTRACTABLE = {"en", "es", "pl", "tl", "ru", "uk", "vi", "zh-hans", "zh-hant", "ko"}
SCRIPT_FONT = {"zh-hans": "CJK", "zh-hant": "CJK", "ko": "CJK", "ar": "Arabic", "ur": "Arabic",
               "hi": "Devanagari", "gu": "Gujarati"}


@pytest.fixture
def people(make_user, roster):
    investigator = make_user(roles.INVESTIGATOR)
    with recorded(label="test", reason="investigator's roster entry"):
        roster["investigator"].user = investigator
        roster["investigator"].save()
    return {"investigator": investigator, "supervisor": make_user(roles.SUPERVISOR),
            "intake": make_user(roles.INTAKE_COORDINATOR), "chief": make_user(roles.CHIEF)}


def filed_in(client, filing, roster, language, categories=("excessive-force",)):
    response = filing({"filer_role": "harmed", "name": "Pat", "categories": [], "preferred_language": language},
                      language=language)
    complaint = Complaint.objects.get(reference=shown_reference(response))
    with recorded(label="test", reason="allegations"):
        for code in categories:
            Allegation.objects.create(complaint=complaint, officer=roster["officer"],
                                      category=Category.objects.get(code=code))
    client.post(f"/{language}/follow-up/", {"reference": complaint.reference, "code": shown_code(response)})
    return complaint


def close(complaint, people, findings):
    """Walk the case through the services to closed, with `findings` {category code: disposition code}."""
    case = complaint.investigation
    inv = people["investigator"]
    services.triage_complaint(case, by=people["intake"], reason="ok")
    services.assign_investigator(case, inv, by=people["supervisor"], attested=True)
    services.start_investigation(case, by=inv)
    for allegation in complaint.allegations.all():
        services.record_finding(case, allegation, Disposition.objects.get(code=findings[allegation.category.code]),
                                by=inv, reason="reason")
    services.begin_retaliation_check(case, by=inv)
    answers = {p.pk: {"asked": True} for p in services.identified_people(case)}
    services.record_retaliation_check(case, by=inv, answers=answers)
    services.submit_for_review(case, by=inv)
    services.approve_findings(case, by=people["supervisor"])
    case.refresh_from_db()
    if case.has_sustained_findings():
        for officer in case.officers_awaiting_discipline():
            services.record_final_discipline(case, officer, by=people["chief"],
                                             outcome=DisciplineDecision.Outcome.SUSPENSION, suspension_days=3,
                                             effective_date=timezone.localdate() + datetime.timedelta(days=1))
    else:
        services.close_investigation(case, by=people["supervisor"])
    return case


def test_no_outcome_is_shown_before_the_case_closes(client, filing, roster, people):
    filed_in(client, filing, roster, "en")
    page = client.get("/en/follow-up/case/").content.decode()
    assert "The outcome" not in page


def test_follow_up_page_explains_each_finding_and_says_discipline_was_imposed_without_details(
        client, filing, roster, people):
    complaint = filed_in(client, filing, roster, "es", categories=("excessive-force", "discourtesy"))
    close(complaint, people, {"excessive-force": "sustained", "discourtesy": "unfounded"})
    page = client.get("/es/follow-up/case/").content.decode()
    with translation.override("es"):
        expected = [str(FINDING_EXPLANATIONS["sustained"]), str(FINDING_EXPLANATIONS["unfounded"]),
                    gettext("Discipline was imposed on the officer.")]
    for text in expected:
        assert escape(text) in page
    with translation.override("es"):
        assert str(DisciplineDecision.Outcome.SUSPENSION.label) not in page
    assert "suspension" not in page.lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_closure_letter_pdf_renders_the_outcome_in_every_language(client, filing, roster, people, language):
    complaint = filed_in(client, filing, roster, language)
    close(complaint, people, {"excessive-force": "unfounded"})
    response = client.get(f"/{language}/follow-up/case/letter/")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert complaint.reference in text
    with translation.override(language):
        finding = Disposition.objects.get(code="unfounded").label()
        outcome = gettext("The outcome")
    if language in EXTRACTABLE:
        flat = "".join(text.split())
        assert "".join(finding.split()) in flat
        assert "".join(outcome.split()) in flat
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("Noto" in font for font in fonts), fonts
    if language in SCRIPT_FONT:
        assert any(SCRIPT_FONT[language] in font for font in fonts), fonts


def test_receipt_can_be_downloaded_again_after_sign_in_without_the_code(client, filing, roster):
    complaint = filed_in(client, filing, roster, "en")
    response = client.get("/en/follow-up/case/receipt/")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert complaint.reference in text
    assert "Your private follow-up code" not in text


def test_downloads_need_sign_in(client):
    assert client.get("/en/follow-up/case/letter/").status_code == 302
    assert client.get("/en/follow-up/case/receipt/").status_code == 302


def test_receipt_states_office_contacts_time_frames_and_follow_up_address(filing, settings):
    settings.OFFICE_PHONE, settings.OFFICE_TTY = "555-0142", "555-0143"
    settings.PUBLIC_SITE_URL = "https://complaints.example.gov"
    page = filing().content.decode()
    assert "555-0142" in page and "555-0143" in page
    assert settings.OFFICE_ADDRESS in page
    assert "https://complaints.example.gov/en/follow-up/" in page
    assert f"{settings.OFFICE_FIRST_CONTACT_DAYS}" in page
