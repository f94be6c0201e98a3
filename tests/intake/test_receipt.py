"""The receipt: the page shown once, the PDF in the filer's language, and the code by e-mail."""

import hashlib
import io

import pytest
from django.core import mail
from django.utils import translation
from pypdf import PdfReader

from complaints.models import Complaint

from .conftest import shown_code, shown_reference

pytestmark = pytest.mark.django_db


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_receipt_page_shows_reference_code_next_steps_and_pdf_button(filing):
    response = filing()
    html = response.content.decode()
    code = shown_code(response)
    assert len(code.replace("-", "")) == 20  # 20 symbols of 30: about 98 bits
    assert "What happens next" in html
    assert 'action="/en/receipt/pdf/"' in html
    assert "We will not show it again" in html
    assert "no-store" in response["Cache-Control"]  # no cache keeps a copy of the code


def test_pdf_receipt_has_reference_account_sha256_and_code_but_never_the_hash(client, filing, media):
    response = filing({"narrative": "The officer took my phone."}, files=[media["clip.mp4"]])
    reference, code = shown_reference(response), shown_code(response)
    pdf = client.post("/en/receipt/pdf/", {"reference": reference, "code": code})
    assert pdf.status_code == 200
    text = pdf_text(pdf)
    complaint = Complaint.objects.get(reference=reference)
    sha = hashlib.sha256(media["clip.mp4"].read_bytes()).hexdigest()
    flat = "".join(text.split())
    assert reference in text
    assert "The officer took my phone." in text
    assert sha in flat
    assert code in flat
    assert complaint.follow_up_code_hash not in flat
    assert complaint.follow_up_code_hash.split("$")[-1] not in flat
    assert complaint.follow_up_code_hash.encode() not in pdf.content


NARRATIVES = {
    "es": "Me empujó en la parada", "pl": "Policjant mnie popchnął", "zh-hans": "警察推了我", "zh-hant": "警察推了我們",
    "ar": "دفعني الشرطي", "tl": "Itinulak ako ng pulis", "ko": "경찰이 나를 밀었다", "hi": "पुलिस ने मुझे धक्का दिया",
    "ur": "پولیس نے مجھے دھکا دیا", "gu": "પોલીસે મને ધક્કો માર્યો", "ru": "Полицейский толкнул меня",
    "uk": "Поліцейський штовхнув мене", "vi": "Cảnh sát đã đẩy tôi", "en": "The officer pushed me",
}
# Scripts whose text pypdf gives back as typed (shaped scripts come back in glyph order).
EXTRACTABLE = {"en", "es", "pl", "tl", "ru", "uk", "vi", "zh-hans", "zh-hant", "ko"}
SCRIPT_FONT = {"zh-hans": "CJK", "zh-hant": "CJK", "ko": "CJK", "ar": "Arabic", "ur": "Arabic",
               "hi": "Devanagari", "gu": "Gujarati"}


@pytest.mark.parametrize("language", sorted(NARRATIVES))
def test_pdf_receipt_renders_every_script(client, filing, language):
    response = filing({"narrative": NARRATIVES[language]}, language=language)
    pdf = client.post(f"/{language}/receipt/pdf/",
                      {"reference": shown_reference(response), "code": shown_code(response)})
    text = pdf_text(pdf)
    assert shown_reference(response) in text
    if language in EXTRACTABLE:
        assert NARRATIVES[language] in text
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf.content)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Noto" in font for font in fonts), fonts
    if language in SCRIPT_FONT:
        assert any(SCRIPT_FONT[language] in font for font in fonts), fonts


def test_pdf_with_a_wrong_code_is_refused(client, filing):
    response = filing()
    refused = client.post("/en/receipt/pdf/", {"reference": shown_reference(response), "code": "AAAA-BBBB"})
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("text/html")


def test_code_can_be_emailed_to_a_filer_who_gave_an_address(client, filing):
    response = filing({"filer_role": "harmed", "email": "filer@example.org"}, language="es")
    assert "E-mail the code to me" in response.content.decode() or 'action="/es/receipt/email/"' in (
        response.content.decode())
    reference, code = shown_reference(response), shown_code(response)
    sent = client.post("/es/receipt/email/", {"reference": reference, "code": code})
    assert sent.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["filer@example.org"]
    assert reference in mail.outbox[0].subject
    assert code in mail.outbox[0].body
    assert "/es/follow-up/" in mail.outbox[0].body
    with translation.override("es"):
        assert translation.gettext("Thank you for your complaint.") in mail.outbox[0].body  # in the filer's language


def test_anonymous_filer_is_not_offered_email(filing):
    assert "/receipt/email/" not in filing().content.decode()
