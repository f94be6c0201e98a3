"""The template filters other pages use to link to the referral queue and the case-file export."""

import pytest
from django.template import Context, Template

from complaints import roles
from tests.factories import walk

pytestmark = pytest.mark.django_db

LINKS = Template(
    "{% load referrals staff %}{% if user|may_reach_referrals %}<a href=\"{% url 'referrals:queue' %}\">queue</a>"
    "{% endif %}{% if user|may_export_case_file:case %}"
    "<a href=\"{% url 'staff:case_file' case.complaint.reference %}\">file</a>{% endif %}"
)


@pytest.mark.parametrize(("who", "queue", "case_file"), [
    (roles.POST_LIAISON, True, False),
    ("supervisor", True, True),
    ("investigator", False, True),
    ("other investigator", False, False),
    (roles.CHIEF, False, False),
    (roles.AUDITOR, True, False),  # reads the queue, read-only
])
def test_links_show_only_to_whom_the_pages_answer(team, case, who, queue, case_file):
    walk(case, team, "assigned")
    html = LINKS.render(Context({"user": team[who], "case": case}))

    assert ('href="/staff/referrals/"' in html) == queue
    assert (f'href="/staff/cases/{case.complaint.reference}/case-file.pdf"' in html) == case_file


@pytest.mark.parametrize(("who", "queue", "case_file"), [
    ("supervisor", True, True),
    ("investigator", False, True),
])
def test_the_staff_menu_and_case_page_carry_the_links(client, team, case, who, queue, case_file):
    walk(case, team, "assigned")
    client.force_login(team[who])
    page = client.get(f"/staff/cases/{case.complaint.reference}/").content.decode()

    assert ('href="/staff/referrals/"' in page) == queue
    assert (f'href="/staff/cases/{case.complaint.reference}/case-file.pdf"' in page) == case_file
