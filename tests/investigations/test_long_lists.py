"""Long staff lists count only as far as they need: past the limit they say "more than" and page on with Next."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from complaints.history import recorded
from investigations import services
from tests.factories import walk

pytestmark = pytest.mark.django_db


def caption(response):
    return response.content.decode().split("<caption>", 1)[1].split("</caption>", 1)[0]


def listed(response):
    return [case.complaint.reference for case in response.context["page"].object_list]


def test_list_past_the_count_limit_says_more_than_and_pages_on_with_next(client, team, file_case, settings):
    settings.STAFF_LIST_COUNT_UP_TO = 1  # counts then reach only as far as the page asked for (25 a page)
    references = {file_case().complaint.reference for _ in range(27)}
    client.force_login(team["intake"])

    first = client.get("/staff/triage/")
    assert "more than 25 cases" in caption(first)
    assert "Page 1 of" not in first.content.decode()
    assert "page=2" in first.content.decode()  # the Next link
    assert len(listed(first)) == 25

    second = client.get("/staff/triage/?page=2")
    assert "(27 cases)" in caption(second)  # the end is in sight: counted exactly
    assert "Page 2 of 2" in second.content.decode()
    assert set(listed(first)) | set(listed(second)) == references


def test_short_list_shows_its_exact_count(client, team, file_case):
    for _ in range(2):
        file_case()
    client.force_login(team["intake"])
    response = client.get("/staff/triage/")
    assert "(2 cases)" in caption(response)
    assert not response.context["page"].paginator.count_is_bounded


# -- keyset pages: Previous and Next carry the sort key of the row they continue from ------------------------


def follow_next(client, address):
    """Every page of a list from `address` on, by its Next links: [(response, references listed)]."""
    pages = []
    while address:
        response = client.get(address)
        assert response.status_code == 200
        pages.append((response, listed(response)))
        found = re.search(r'<a href="(\?[^"]*)" rel="next">', response.content.decode())
        address = address.split("?")[0] + html.unescape(found.group(1)) if found else None
        assert len(pages) < 10
    return pages


def same_moment(cases, **fields):
    """Give every case's complaint (or, with `fields`, the case itself) the same sort key."""
    at = timezone.now() - datetime.timedelta(days=1)
    with recorded(label="test", reason="equal sort keys"):
        for case in cases:
            if fields:
                for name, value in fields.items():
                    setattr(case, name, value)
                case.save()
            else:
                case.complaint.received_at = at
                case.complaint.save()


def test_triage_pages_by_key_list_every_case_once_with_equal_sort_keys(client, team, file_case):
    cases = [file_case() for _ in range(27)]
    same_moment(cases)  # every complaint received at the same instant: only the id orders them
    with recorded(label="test", reason="urgent and sealed cases"):
        for case in cases[:3]:
            case.complaint.urgent = True
            case.complaint.save()
        cases[10].complaint.sealed = True  # not visible to intake, on any page
        cases[10].complaint.save()
    client.force_login(team["intake"])

    pages = follow_next(client, "/staff/triage/")
    assert [len(references) for _response, references in pages] == [25, 1]
    walked = [reference for _response, references in pages for reference in references]
    visible = [case for case in cases if case is not cases[10]]
    expected = [c.complaint.reference for c in visible[:3]] + [c.complaint.reference for c in visible[3:]]
    assert walked == expected  # urgent first, then by id: no gap, no repeat
    second = pages[1][0].content.decode()
    assert "after=" in pages[0][0].content.decode() and "Page 2 of 2" in second

    previous = re.search(r'<a href="(\?[^"]*)" rel="prev">', second).group(1)
    assert listed(client.get("/staff/triage/" + html.unescape(previous))) == walked[:25]
    assert listed(client.get("/staff/triage/?page=2")) == walked[25:]  # a typed page number, by offset


def test_previous_link_from_a_deep_page_reads_backwards_by_key(client, team, file_case):
    cases = [file_case() for _ in range(53)]
    same_moment(cases)
    client.force_login(team["intake"])
    pages = follow_next(client, "/staff/triage/")
    assert [len(references) for _response, references in pages] == [25, 25, 3]
    third = pages[2][0].content.decode()
    previous = html.unescape(re.search(r'<a href="(\?[^"]*)" rel="prev">', third).group(1))
    assert "before=" in previous and "page=2" in previous
    back = client.get("/staff/triage/" + previous)
    assert listed(back) == pages[1][1]
    assert "Page 2 of 3" in back.content.decode()


def test_caseload_pages_by_key_keep_cases_without_deadline_last_and_show_only_own_cases(client, team, file_case):
    mine = [walk(file_case(), team, "assigned") for _ in range(27)]
    theirs = walk(file_case(), team, "triaged")
    services.assign_investigator(theirs, team["other investigator"], by=team["supervisor"], attested=True)
    due = timezone.now() + datetime.timedelta(days=3)
    same_moment(mine[:20], phase_due_at=due)
    same_moment(mine[20:], phase_due_at=None)  # no phase deadline: after every case that has one
    client.force_login(team["investigator"])

    pages = follow_next(client, "/staff/caseload/")
    walked = [reference for _response, references in pages for reference in references]
    assert [len(references) for _response, references in pages] == [25, 2]
    assert walked == [case.complaint.reference for case in mine]
    assert theirs.complaint.reference not in walked


def test_board_pages_by_key_leave_out_the_case_of_the_accused_supervisor(client, team, file_case, roster):
    with recorded(label="test", reason="the second supervisor is the sergeant on the roster"):
        roster["sergeant"].user = team["other supervisor"]
        roster["sergeant"].save()
    cases = [walk(file_case(officer="sergeant" if i == 7 else "officer"), team, "assigned") for i in range(27)]
    same_moment(cases, phase_due_at=timezone.now() + datetime.timedelta(days=3))
    client.force_login(team["other supervisor"])

    pages = follow_next(client, "/staff/board/?per_page=25")
    walked = [c.complaint.reference for response, _refs in pages for c in response.context["in_progress"]]
    assert walked == [case.complaint.reference for i, case in enumerate(cases) if i != 7]
    assert "progress_after=" in pages[0][0].content.decode()
    assert "per_page=25" in pages[0][0].content.decode()  # other parameters kept


def test_page_link_with_a_key_that_does_not_fit_shows_the_first_page(client, team, file_case):
    first = file_case()
    client.force_login(team["intake"])
    for key in ("abc", "1.2", "1.99999999999999999999999.3", "2.3.4"):
        response = client.get(f"/staff/triage/?after={key}&page=2", follow=True)
        assert response.status_code == 200
        assert listed(response) == [first.complaint.reference]
        assert "That page link no longer fits this list" in response.content.decode()


def test_typed_page_numbers_reach_as_far_as_the_offset_bound_then_say_so(client, team, file_case, settings):
    settings.STAFF_LIST_OFFSET_UP_TO = 25  # a typed page may skip 25 rows: page 2 at most (25 a page)
    cases = [file_case() for _ in range(53)]
    same_moment(cases)
    client.force_login(team["intake"])
    walked = [reference for _response, references in follow_next(client, "/staff/triage/") for reference in references]
    assert len(walked) == 53

    second = client.get("/staff/triage/?page=2")
    assert listed(second) == walked[25:50]  # found by the key of row 25, the same rows as OFFSET 25
    assert "Typed page numbers go up to" not in second.content.decode()

    far = client.get("/staff/triage/?page=40")
    assert far.status_code == 200
    assert listed(far) == walked[25:50]
    page = far.content.decode()
    assert "Typed page numbers go up to 2: here is page 2." in page
    following = html.unescape(re.search(r'<a href="(\?[^"]*)" rel="next">', page).group(1))
    assert "after=" in following and "page=3" in following
    assert listed(client.get("/staff/triage/" + following)) == walked[50:]
    previous = html.unescape(re.search(r'<a href="(\?[^"]*)" rel="prev">', page).group(1))
    assert listed(client.get("/staff/triage/" + previous)) == walked[:25]

    short = client.get("/staff/triage/?page=40&per_page=100")  # one page of 53: its last page, as ever
    assert listed(short) == walked and "Typed page numbers go up to" not in short.content.decode()
