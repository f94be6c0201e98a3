"""The case page to work in and the case search, in a real browser: the summary header stays in view while a
person jumps between sections, the search finds the case by a word of its account, and both pages pass axe-core's
WCAG 2.1 AA rules in English, Spanish and Arabic (right to left)."""

import json
import os

import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.e2e

A_CASE_IN_WORK = """
import json
from django.contrib.auth.models import Group, User
from django.utils import timezone
from complaints import roles
from complaints.history import recorded
from complaints.models import Category, Officer, Unit
from complaints.services import file_complaint
from investigations import services

def user(role):
    u = User.objects.create_user(username=role.replace(' ', '-') + '-' + str(User.objects.count()))
    u.groups.add(Group.objects.get(name=role))
    return u

with recorded(label='test', reason='e2e roster'):
    n = Unit.objects.count()
    unit = Unit.objects.create(code=f'U{n}', name=f'Unit {n}')
    officer = Officer.objects.create(first_name='Cy', last_name='Patrol', employee_id=f'E{n}', unit=unit)
complaint, code = file_complaint(
    narrative='El agente me empujó contra la furgoneta y me quitó el teléfono.', filer_role='harmed',
    language='es', preferred_language='es', label='public filer',
    parties=[{'role': 'harmed', 'is_filer': True, 'name': 'Rosa Díaz'}],
    allegations=[{'officer': officer, 'category': Category.objects.get(code='excessive-force')}])
case = complaint.investigation
intake, inv, sup = user(roles.INTAKE_COORDINATOR), user(roles.INVESTIGATOR), user(roles.SUPERVISOR)
services.triage_complaint(case, by=intake, reason='ok')
services.assign_investigator(case, inv, by=sup, attested=True)
services.start_investigation(case, by=inv)
services.add_translation(case, by=inv, language='en', text='The officer pushed me against the van and took my phone.')
services.record_interview(case, by=inv, interviewee='Rosa Díaz', interviewee_role='complainant',
                          held_at=timezone.now(), kind='phone', rights_notice='n/a',
                          summary='She describes the van and two officers.')
for n in range(40):
    services.add_note(case, by=inv, body=f'Canvass note {n}: spoke to the shop on the corner.')
    services.add_task(case, by=inv, title=f'Follow-up {n}')
print(json.dumps({'reference': complaint.reference}))
"""


def _look(page, name):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=False)


def test_case_page_and_search_in_three_languages(live_app, page, staff_login):
    output = live_app.manage("shell", "-v", "0", "-c", A_CASE_IN_WORK)
    reference = json.loads(output.strip().splitlines()[-1])["reference"]
    page.set_viewport_size({"width": 1280, "height": 800})
    staff_login("e2e-case-page-supervisor", "supervisor")(page)

    # The search finds the case by a word of the account's translation, with the word marked.
    page.goto(f"{live_app.url}/staff/search/")
    page.get_by_label("Words").fill("phone")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_selector("table.search-results")
    assert page.locator("table.search-results mark").first.inner_text().lower() == "phone"
    checked = {"search en": axe_violations(page)}
    page.get_by_role("link", name=reference).click()
    page.wait_for_selector("#case-h")

    # Jumping to the timeline keeps the summary (state, investigator, what you can do now) in view.
    header = page.locator(".case-header")
    page.locator(".case-sections a[href='#timeline']").click()
    assert page.evaluate("window.scrollY") > 1000
    box = header.bounding_box()
    assert box is not None and box["y"] == 0 and header.is_visible()
    assert page.locator("#timeline-h").bounding_box()["y"] >= box["height"]
    _look(page, "case-en.png")
    checked["case en"] = axe_violations(page)

    for language in ("es", "ar"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_app.url}])
        page.goto(f"{live_app.url}/staff/cases/{reference}/")
        assert page.locator("html").get_attribute("lang") == language
        page.locator(".case-sections a[href='#notes']").click()
        checked[f"case {language}"] = axe_violations(page)
        _look(page, f"case-{language}.png")
        page.goto(f"{live_app.url}/staff/search/?words=empuj%C3%B3")
        page.wait_for_selector("table.search-results")
        checked[f"search {language}"] = axe_violations(page)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert {name: v for name, v in checked.items() if v} == {}
