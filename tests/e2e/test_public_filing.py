"""A frightened witness's path, in a real browser: file anonymously in Spanish with a phone video, keep the
receipt, come back with the code and add a photo. And the public pages pass axe-core's WCAG 2.1 AA rules."""

import subprocess

import pytest
from pypdf import PdfReader

from .conftest import axe_violations

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media")
    video, photo = folder / "VID_20261120_2231.mp4", folder / "foto.png"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=15",
                    "-pix_fmt", "yuv420p", str(video)], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1",
                    str(photo)], check=True)
    return {"video": video, "photo": photo}


def file_anonymously(page, url, language, video=None):
    page.goto(f"{url}/{language}/file/")
    page.check("input[name=filer_role][value=anonymous]")
    page.fill("textarea[name=narrative]", "Dos agentes empujaron a un hombre contra la pared y le quitaron el móvil.")
    page.fill("input[name=location]", "Calle 18 y Ashland")
    if video:
        page.set_input_files("input[type=file][name=evidence]", str(video))
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_selector("#follow-up-code")
    return page.inner_text("#reference").strip(), page.inner_text("#follow-up-code").strip()


def test_anonymous_spanish_filing_with_video_receipt_pdf_and_follow_up_photo(live_app, page, media, tmp_path):
    reference, code = file_anonymously(page, live_app.url, "es", video=media["video"])
    assert page.locator("html").get_attribute("lang") == "es"
    assert reference.startswith("C-")
    assert len(code.replace("-", "")) >= 20
    assert "Su denuncia" in page.content() or "queja" in page.content().lower()
    assert "VID_20261120_2231.mp4" in page.content()

    with page.expect_download() as download_info:
        page.locator("form[action$='/receipt/pdf/'] button").click()
    pdf_path = tmp_path / "recibo.pdf"
    download_info.value.save_as(pdf_path)
    text = "\n".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert reference in text
    assert "Calle 18" in text or "empujaron" in text
    assert "VID_20261120_2231.mp4" in text

    # Later, from another device: the code typed in lower case with spaces still works.
    page.context.clear_cookies()
    page.goto(f"{live_app.url}/es/follow-up/")
    page.fill("input[name=reference]", reference)
    page.fill("input[name=code]", code.lower().replace("-", " "))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("#evidence-title")
    page.set_input_files("form[enctype='multipart/form-data'] input[type=file]", str(media["photo"]))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_selector(".notice")  # the file goes first (resumable upload), then the form
    assert "foto.png" in page.content()
    assert page.locator("html").get_attribute("lang") == "es"


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_public_pages_have_no_wcag_aa_violations(live_app, page, media, language):
    checked = {}
    for path in ["/", "/file/", "/follow-up/"]:
        page.goto(f"{live_app.url}/{language}{path}")
        checked[path] = axe_violations(page)
    reference, code = file_anonymously(page, live_app.url, language)
    checked["receipt"] = axe_violations(page)
    page.goto(f"{live_app.url}/{language}/follow-up/")
    page.fill("input[name=reference]", reference)
    page.fill("input[name=code]", code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("#evidence-title")
    checked["follow-up case"] = axe_violations(page)
    # A form sent back with errors must be accessible too.
    page.goto(f"{live_app.url}/{language}/file/")
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    checked["form with errors"] = axe_violations(page)
    if language == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
    assert {name: v for name, v in checked.items() if v} == {}
