"""Every supported language: the pages answer in it, a complaint can be filed in it, RTL where it must be."""

import pytest
from django.conf import settings
from django.utils.translation import get_language_info

from complaints.models import Complaint

from .conftest import shown_reference

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
