"""Issue 15 in a real browser: the language switcher from an English page in a Polish browser (and on the receipt),
a stranger's wrong codes never lock the owner out, and a form sent twice (double click, or Back and send again)
files one complaint. New and changed pages pass axe-core's WCAG 2.1 AA rules."""

import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def polish_page(browser):
    context = browser.new_context(locale="pl-PL")
    page = context.new_page()
    yield page
    context.close()


def complaint_count(live_app):
    return int(live_app.manage("shell", "-c", "from complaints.models import Complaint; "
                                              "print(Complaint.objects.count())").split()[-1])


def switch_to(page, language):
    page.select_option("#language-select", language)
    page.locator(".languages button").click()
    page.wait_for_load_state()


def send_form(page, url, language, narrative):
    page.goto(f"{url}/{language}/file/")
    page.check("input[name=filer_role][value=anonymous]")
    page.fill("textarea[name=narrative]", narrative)
    page.locator("#complaint-form button[type=submit]").click()
    page.wait_for_selector("#follow-up-code")
    return page.inner_text("#reference").strip(), page.inner_text("#follow-up-code").strip()


def test_the_switcher_leaves_an_english_page_in_a_polish_browser(live_app, polish_page):
    page = polish_page
    page.goto(f"{live_app.url}/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    switch_to(page, "es")
    assert page.url == f"{live_app.url}/es/"
    assert page.locator("html").get_attribute("lang") == "es"
    page.goto(f"{live_app.url}/en/follow-up/")
    switch_to(page, "vi")
    assert page.url == f"{live_app.url}/vi/follow-up/"


def test_switching_language_on_the_receipt_keeps_the_code(live_app, polish_page):
    page = polish_page
    reference, code = send_form(page, live_app.url, "en", "Switching language on the receipt")
    switch_to(page, "pl")
    page.wait_for_selector("#follow-up-code")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.inner_text("#follow-up-code").strip() == code
    assert page.inner_text("#reference").strip() == reference
    assert axe_violations(page) == []
    switch_to(page, "ar")
    page.wait_for_selector("#follow-up-code")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.inner_text("#follow-up-code").strip() == code
    assert axe_violations(page) == []


def test_the_language_to_use_with_the_filer_defaults_to_the_pages(live_app, page):
    page.goto(f"{live_app.url}/uk/file/")
    assert page.locator("select[name=preferred_language]").input_value() == "uk"


def test_a_strangers_five_wrong_codes_do_not_stop_the_owner(live_app, browser, page):
    reference, code = send_form(page, live_app.url, "en", "The owner will come back")
    stranger = browser.new_context(locale="en-US")
    guesser = stranger.new_page()
    for guess in range(5):
        guesser.goto(f"{live_app.url}/en/follow-up/")
        guesser.fill("input[name=reference]", reference)
        guesser.fill("input[name=code]", f"WRNG-CODE-{guess}{guess}{guess}{guess}-AAAA-BBBB")
        guesser.locator("main form button[type=submit]").click()
        guesser.wait_for_selector(".error-summary")
    stranger.close()
    owner = browser.new_context(locale="en-US")
    owner_page = owner.new_page()
    owner_page.goto(f"{live_app.url}/en/follow-up/")
    owner_page.fill("input[name=reference]", reference)
    owner_page.fill("input[name=code]", code)
    owner_page.locator("main form button[type=submit]").click()
    owner_page.wait_for_selector("#evidence-title")
    assert reference in owner_page.content()
    owner.close()


def test_a_double_click_and_back_and_send_again_file_one_complaint(live_app, page):
    before = complaint_count(live_app)
    page.goto(f"{live_app.url}/en/file/")
    page.check("input[name=filer_role][value=anonymous]")
    page.fill("textarea[name=narrative]", "Pressed twice by a shaking hand")
    page.locator("#complaint-form button[type=submit]").dblclick()
    page.wait_for_selector("#follow-up-code")
    code = page.inner_text("#follow-up-code").strip()
    assert complaint_count(live_app) == before + 1

    page.go_back()
    page.wait_for_selector("#complaint-form")
    assert "Pressed twice" in page.input_value("textarea[name=narrative]")
    page.locator("#complaint-form button[type=submit]").click()
    page.wait_for_selector("#follow-up-code")
    assert "We received this form before, so we did not file it a second time." in page.content()
    assert page.inner_text("#follow-up-code").strip() == code  # the same browser sees its code again
    assert complaint_count(live_app) == before + 1


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_new_and_changed_intake_pages_have_no_wcag_aa_violations(live_app, page, language):
    checked = {}
    page.goto(f"{live_app.url}/{language}/file/")
    page.check("input[name=filer_role][value=anonymous]")
    page.fill("textarea[name=narrative]", "Accessibility of the receipt sent twice")
    page.locator("#complaint-form button[type=submit]").click()
    page.wait_for_selector("#follow-up-code")
    checked["receipt"] = axe_violations(page)
    page.go_back()
    page.wait_for_selector("#complaint-form")
    page.locator("#complaint-form button[type=submit]").click()
    page.wait_for_selector("#follow-up-code")
    checked["receipt sent again"] = axe_violations(page)
    page.goto(f"{live_app.url}/{language}/follow-up/")
    page.fill("input[name=reference]", "C-2026-999999")
    page.fill("input[name=code]", "ABCD-EFGH-JKMN-PQRS-TVWX")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    checked["wrong code"] = axe_violations(page)
    # The upload progress and its messages, as a slow upload shows them.
    page.goto(f"{live_app.url}/{language}/file/")
    page.evaluate("""() => {
        document.getElementById('upload-panel').hidden = false;
        document.getElementById('upload-status').textContent = 'Sending your files: 42% done.';
        const problem = document.getElementById('upload-problem');
        problem.hidden = false;
        problem.textContent = 'Sending stopped because the connection was lost.';
    }""")
    checked["upload progress"] = axe_violations(page)
    assert {name: v for name, v in checked.items() if v} == {}
