"""Early intervention in a real browser: imported events raise an alert that a supervisor answers to the end."""

import datetime

import pytest

pytestmark = pytest.mark.e2e


def test_imported_events_raise_an_alert_the_supervisor_answers_and_closes(live_app, page, tmp_path, staff_login):
    sign_in = staff_login("ei-supervisor", "supervisor")  # password and an authenticator code, like every staff role
    live_app.manage("shell", "-c", (
        "from complaints.history import recorded;"
        "from complaints.models import Officer, Unit;"
        "r = recorded(label='e2e', reason='roster'); r.__enter__();"
        "unit = Unit.objects.create(code='EID', name='East District');"
        "Officer.objects.create(first_name='Lee', last_name='Marsh', employee_id='EI-1', star_number='7001',"
        " unit=unit, assignment_type='patrol')"
    ))
    today = datetime.date.today()
    rows = [f"rms,uof-{n},use_of_force,{(today - datetime.timedelta(days=3 * n + 1)).isoformat()}T09:00:00,EI-1,yes,"
            for n in range(5)]
    csv_path = tmp_path / "events.csv"
    csv_path.write_text("source,source_id,event_type,occurred_at,officer_employee_id,final,description\n"
                        + "\n".join(rows) + "\n")
    assert "Imported 5 new event(s)" in live_app.manage("import_officer_events", str(csv_path))

    sign_in(page, "/staff/")
    page.get_by_role("link", name="Early intervention").first.click()
    # Other rules (peer comparison) may flag him too when other tests share the server: open this rule's alert.
    page.get_by_role("row").filter(has_text="Patrol: uses of force in six months").filter(
        has_text="Lee Marsh #7001").get_by_role("link").click()
    assert "Patrol: uses of force in six months" in page.content()

    page.get_by_role("button", name="False positive").click()
    assert "Please write the reason for this decision." in page.content()
    assert page.locator(".state").first.inner_text() == "new"

    page.get_by_role("button", name="Begin supervisor review").click()
    assert page.locator(".state").first.inner_text() == "supervisor review"
    page.locator("#id_kind").select_option("counseling")
    page.get_by_label("Given by").fill("Sgt. Ortiz")
    page.get_by_label("Given on").fill(today.isoformat())
    page.get_by_label("Follow-up review due").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Record intervention").click()
    assert page.locator(".state").first.inner_text() == "monitoring"

    page.locator("#id_outcome").select_option("resolved")
    page.get_by_label("What the review found").fill("Counseling done; no new events in the review period.")
    page.get_by_role("button", name="Record review").click()
    assert page.locator(".state").first.inner_text() == "resolved"
    assert "Counseling done" in page.content()
