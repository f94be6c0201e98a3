"""The staff workspace in a real browser: sign in as a seeded role and see the newest complaints."""

import pytest

pytestmark = pytest.mark.e2e


def test_supervisor_signs_in_and_sees_complaints(live_app, page, staff_login):
    sign_in = staff_login("e2e-supervisor", "supervisor")
    sign_in(page)
    assert page.get_by_role("button", name="Sign out").is_visible()
