"""Long staff lists count only as far as they need: past the limit they say "more than" and page on with Next."""

import pytest

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
