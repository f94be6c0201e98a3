"""A case page to work in (issue 12 item 5): a summary header, sections to jump between, each form in the section
of what it changes, and a fixed number of queries however long the timeline grows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from investigations import services
from tests.factories import walk

pytestmark = pytest.mark.django_db

SECTIONS = ("account", "allegations", "evidence", "people", "retaliation", "messages", "notes", "review",
            "discipline", "timeline")


def section(page, name):
    match = re.search(rf'<section id="{name}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section {name}"
    return match.group(1)


def header(page):
    return re.search(r'<header class="case-header".*?</header>', page, re.S).group(0)


def open_case(client, user, case):
    client.force_login(user)
    response = client.get(f"/staff/cases/{case.complaint.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_every_section_is_there_and_the_section_list_links_to_it(client, team, case):
    page = open_case(client, team["supervisor"], case)
    nav = re.search(r'<nav class="case-sections".*?</nav>', page, re.S).group(0)
    for name in SECTIONS:
        section(page, name)
        assert f'href="#{name}"' in nav
    # In the order the list gives them.
    assert [page.index(f'<section id="{name}"') for name in SECTIONS] == sorted(
        page.index(f'<section id="{name}"') for name in SECTIONS)


def test_the_header_says_state_due_dates_investigator_accused_and_what_the_investigator_can_do(client, team,
                                                                                                file_case):
    case = walk(file_case(), team, "investigating")
    top = header(open_case(client, team["investigator"], case))
    assert "Investigating" in top or "investigating" in top
    assert timezone.localtime(case.due_at).strftime("%Y-%m-%d") in top
    assert team["investigator"].get_username() in top
    assert "Patrol" in top  # the accused officer, Cy Patrol
    assert "Begin anti-retaliation check" in top


def test_the_header_tells_a_reader_nothing_is_open_to_them(client, team, case):
    top = header(open_case(client, team["auditor"], case))
    assert "No status changes are open to you on this case." in top
    assert "Triage" not in top


def test_the_header_offers_the_supervisor_the_review(client, team, file_case):
    case = walk(file_case(), team, "supervisor_review")
    page = open_case(client, team["supervisor"], case)
    assert "Approve findings" in header(page)
    # ... and the review section offers it beside the reviews.
    assert f'/staff/cases/{case.complaint.reference}/do/approve/' in section(page, "review")


@pytest.mark.parametrize("action,name", [
    ("note", "notes"), ("task", "notes"), ("message", "messages"), ("translation", "account"),
    ("interview", "people"), ("witness", "people"), ("finding", "allegations"),
])
def test_each_form_is_in_the_section_of_what_it_changes(client, team, file_case, action, name):
    case = walk(file_case(), team, "investigating")
    page = open_case(client, team["investigator"], case)
    address = f'action="/staff/cases/{case.complaint.reference}/add/{action}/"'
    assert address in section(page, name)
    assert page.count(address) == section(page, name).count(address)


def test_discipline_forms_are_in_the_discipline_section(client, team, file_case):
    from tests.factories import sustained

    case = walk(file_case(), team, "findings_approved", disposition=sustained())
    page = open_case(client, team["chief"], case)
    assert f'action="/staff/cases/{case.complaint.reference}/add/discipline/"' in section(page, "discipline")
    services.record_final_discipline(case, case.complaint.allegations.first().officer, by=team["chief"],
                                     outcome="suspension", suspension_days=3, effective_date=timezone.localdate(),
                                     reason="unlawful force")
    page = open_case(client, team["chief"], case)
    assert f'action="/staff/cases/{case.complaint.reference}/add/discipline_change/"' in section(page, "discipline")


def test_a_refused_note_comes_back_typed_in_the_notes_section(client, team, case):
    client.force_login(team["supervisor"])
    response = client.post(f"/staff/cases/{case.complaint.reference}/add/note/", {"body": ""})
    assert response.status_code == 400
    assert "errorlist" in section(response.content.decode(), "notes")


def test_the_page_is_styled_from_a_static_file_and_written_in_the_users_direction(client, team, case):
    client.force_login(team["supervisor"])
    page = client.get(f"/staff/cases/{case.complaint.reference}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert 'href="/static/investigations/staff.css"' in page
    assert "<script" not in page


def queries_of_the_case_page(client, case):
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/staff/cases/{case.complaint.reference}/")
    assert response.status_code == 200
    return len(context.captured_queries), len(response.context["timeline"])


def test_the_case_page_runs_as_many_queries_for_200_timeline_entries_as_for_20(client, team, file_case):
    case = walk(file_case(), team, "investigating")
    client.force_login(team["supervisor"])
    for n in range(5):
        services.add_note(case, by=team["investigator"], body=f"Note {n}")
    small, entries = queries_of_the_case_page(client, case)
    assert entries < 30
    for n in range(5, 100):
        services.add_note(case, by=team["investigator"], body=f"Note {n}")
        services.add_task(case, by=team["investigator"], title=f"Task {n}")
    large, entries = queries_of_the_case_page(client, case)
    assert entries >= 200
    assert large == small, (small, large)
