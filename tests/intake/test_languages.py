"""Every supported language: the pages answer in it, a complaint can be filed in it, RTL where it must be."""

import pytest
from django.conf import settings
from django.utils.translation import get_language_info

from complaints.models import Complaint

from .conftest import shown_code, shown_reference

pytestmark = pytest.mark.django_db

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
RTL = {"ar", "ur"}


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_filing_works_in_every_language(client, filing, media, language):
    for path in ("", "file/", "follow-up/"):
        page = client.get(f"/{language}/{path}")
        assert page.status_code == 200, (language, path)
        html = page.content.decode()
        assert f'<html lang="{language}" dir="{"rtl" if language in RTL else "ltr"}">' in html
    response = filing({"narrative": f"Account written in {language}"}, files=[media["photo.jpg"]],
                      language=language)
    assert response.status_code == 200
    complaint = Complaint.objects.get(reference=shown_reference(response))
    assert complaint.language == language
    assert complaint.evidence.count() == 1


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_the_switcher_names_each_language_in_its_own_name(client, language):
    html = client.get(f"/{language}/").content.decode()
    for code in LANGUAGE_CODES:
        assert f'<option value="{code}" lang="{code}"' in html
        assert get_language_info(code)["name_local"] in html
    assert "Tagalog" in html and "ગુજરાતી" in html and "العربيّة" in html


@pytest.mark.parametrize("accept, expected", [("es-MX,es;q=0.9", "/es/"), ("tl", "/tl/"), ("gu-IN", "/gu/"),
                                              ("zh-TW", "/zh-hant/"), ("ar", "/ar/"), ("fr", "/en/")])
def test_the_root_picks_the_browser_language(client, accept, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_the_ordinary_switcher_keeps_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/en/follow-up/"})
    assert response["Location"] == "/vi/follow-up/"


def test_required_field_message_comes_from_our_catalog_not_djangos(filing):
    response = filing({"narrative": ""}, language="tl")
    html = response.content.decode()
    assert "This field is required." not in html
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("page", ["/en/", "/en/follow-up/"])
def test_the_switcher_leaves_an_english_page_in_a_polish_browser(client, page):
    switcher = client.get(page, HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9").content.decode()
    assert 'action="/en/language/"' in switcher
    response = client.post("/en/language/", {"language": "es", "next": page}, HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == page.replace("/en/", "/es/")


def test_the_switcher_never_leads_to_another_site(client):
    response = client.post("/en/language/", {"language": "vi", "next": "https://evil.example/en/"})
    assert response["Location"] == "/vi/"


def test_switching_language_on_the_receipt_shows_the_same_code_in_the_new_language(client):
    filed = client.post("/en/file/", {"filer_role": "anonymous", "narrative": "Receipt in another language"})
    reference, code = shown_reference(filed), shown_code(filed)
    html = filed.content.decode()
    assert 'id="receipt-language" method="post" action="/en/receipt/"' in html
    assert 'form="receipt-language"' in html
    switched = client.post("/en/receipt/", {"reference": reference, "code": code, "language": "pl"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert switched.redirect_chain == [("/pl/receipt/", 307)]
    assert shown_code(switched) == code and shown_reference(switched) == reference
    assert '<html lang="pl"' in switched.content.decode()
    assert switched["Cache-Control"].startswith("max-age=0") or "no-store" in switched["Cache-Control"]


def test_the_receipt_is_not_shown_for_a_wrong_code(client):
    filed = client.post("/en/file/", {"filer_role": "anonymous", "narrative": "Receipt"})
    response = client.post("/pl/receipt/", {"reference": shown_reference(filed), "code": "ABCD-EFGH-JKMN-PQRS-TVWX",
                                            "language": "pl"})
    assert response.status_code == 403
    assert "ABCD" not in response.content.decode()


@pytest.mark.parametrize("language", ["pl", "ur", "vi"])
def test_the_language_to_use_with_the_filer_defaults_to_the_pages(client, language):
    html = client.get(f"/{language}/file/").content.decode()
    assert f'<option value="{language}" selected>' in html
    client.post(f"/{language}/file/", {"filer_role": "harmed", "name": "Jan", "narrative": "Tekst",
                                       "preferred_language": language})
    assert Complaint.objects.get().preferred_language == language


def test_the_language_to_use_follows_a_language_switch_unless_the_filer_chose_one(client):
    client.post("/en/file/", {"narrative": "Draft", "preferred_language": "en", "language": "pl",
                              "switch_language": "1"})
    assert '<option value="pl" selected>' in client.get("/pl/file/").content.decode()
    client.post("/en/file/", {"narrative": "Draft", "preferred_language": "vi", "language": "pl",
                              "switch_language": "1"})
    assert '<option value="vi" selected>' in client.get("/pl/file/").content.decode()
