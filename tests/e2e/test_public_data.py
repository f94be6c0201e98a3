"""The public statistics pages in a real Chromium: English, Spanish and Arabic (right to left), a CSV and the
PDF downloaded, and no WCAG 2.1 AA violation found by axe-core."""

import io

import pytest
from pypdf import PdfReader

from .conftest import axe_violations

pytestmark = pytest.mark.e2e

SEED = """
import datetime
from django.utils import timezone
from complaints.models import Category
from complaints.services import file_complaint
start = timezone.make_aware(datetime.datetime(2026, 4, 3, 9))
force = Category.objects.get(code="excessive-force")
for i in range(14):
    file_complaint(narrative=f"Statistics test complaint {i}", filer_role="anonymous" if i % 3 else "harmed",
                   language="es" if i % 2 else "en", channel="web" if i < 10 else "phone", district="D1",
                   received_at=start + datetime.timedelta(days=i), allegations=[{"category": force}],
                   label="public filer")
"""


@pytest.fixture(scope="module")
def published(live_app):
    live_app.manage("shell", "-c", SEED)
    live_app.manage("publish_report", "2026Q2", "--threshold", "3")
    return "2026Q2"


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_statistics_pages_read_well_and_pass_axe(live_app, page, published, language):
    page.goto(f"{live_app.url}/{language}/")
    page.click(f"a[href='/{language}/data/']")
    assert page.url.endswith(f"/{language}/data/")
    assert page.locator("svg.chart").count() >= 1  # the time series, drawn on the server
    assert axe_violations(page) == []
    page.click(f"a[href='/{language}/data/{published}/']")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.locator("section.data-table").count() >= 10
    assert page.locator("section.data-table svg.chart").count() == page.locator("section.data-table").count()
    # 10 online and 4 by phone: both shown; nothing below the threshold of 3 is printed.
    channel = page.locator("#complaints_by_channel table").inner_text()
    assert "10" in channel and "14" in channel
    assert axe_violations(page) == []
    page.goto(f"{live_app.url}/{language}/data/{published}/dictionary/")
    assert axe_violations(page) == []


def test_a_csv_and_the_pdf_download(live_app, page, published):
    page.goto(f"{live_app.url}/es/data/{published}/")
    with page.expect_download() as csv_download:
        page.click("a[href$='/files/complaints_by_channel.csv']")
    with open(csv_download.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert "Online form,10" in text and "Telephone,4" in text
    with page.expect_download() as pdf_download:
        page.click(f"a[href='/es/data/{published}/report.pdf']")
    with open(pdf_download.value.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert published in "".join(p.extract_text() for p in reader.pages)
