"""Publishing a quarter: an immutable release, its files and hashes, corrections, and what the public sees."""

import hashlib
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from complaints import roles
from complaints.exceptions import PurgeRefused
from complaints.models import Category
from complaints.services import file_complaint
from publicdata.models import Release, ReleaseFile

pytestmark = pytest.mark.django_db


def publish(period):
    out = io.StringIO()
    call_command("publish_report", period, stdout=out)
    return Release.objects.get(period=period, corrects=None), out.getvalue()


def test_publish_report_writes_a_release_whose_files_match_their_hashes(quarter):
    release, output = publish(quarter["period"])
    assert f"Published {quarter['period']}" in output
    assert release.chain_head and release.chain_head in output
    files = {f.name: f for f in release.files.all()}
    assert {"complaints_by_channel.csv", "allegations.csv", "allegation-level.csv", "release.json"} <= set(files)
    for file in files.values():
        assert hashlib.sha256(file.content.encode()).hexdigest() == file.sha256
        assert file.sha256 in output
    channel = release.table("complaints_by_channel")
    counts = {row["key"]: cell[0] for row, cell in zip(channel["rows"], channel["cells"], strict=True)}
    # 9 web, 3 phone, 1 mail with a threshold of 3: the lone mail complaint is withheld, and so is a complement.
    assert counts["web"] == 9 and counts["mail"] is None
    assert channel["total"] == 13 or counts["phone"] is None


def test_every_published_count_is_zero_or_at_least_the_threshold(quarter):
    release, _ = publish(quarter["period"])
    for table in release.tables:
        if table["kind"] != "count":
            continue
        values = [v for row in table["cells"] for v in row] + (table["row_totals"] or []) + (
            table["col_totals"] or []) + [table["total"]]
        assert all(v is None or v == 0 or v >= release.threshold for v in values), table["id"]


def test_a_release_is_never_changed_or_deleted(quarter):
    release, _ = publish(quarter["period"])
    release.change_note = "edited afterwards"
    with pytest.raises(PurgeRefused):
        release.save()
    with pytest.raises(PurgeRefused):
        release.delete()
    file = release.files.first()
    file.content = "forged"
    with pytest.raises(PurgeRefused):
        file.save()
    for sql in ("UPDATE publicdata_release SET change_note = 'raw'", "UPDATE publicdata_releasefile SET content = ''",
                "DELETE FROM publicdata_release"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Release.objects.get(pk=release.pk).change_note == ""


def test_publishing_a_period_again_needs_a_correction_note_and_keeps_the_first(quarter):
    first, _ = publish(quarter["period"])
    with pytest.raises(CommandError, match="already published"):
        call_command("publish_report", quarter["period"], stdout=io.StringIO())
    call_command("publish_report", quarter["period"], "--correction", "A finding recorded late.", stdout=io.StringIO())
    releases_of_period = Release.objects.filter(period=quarter["period"])
    assert releases_of_period.count() == 2
    correction = releases_of_period.exclude(pk=first.pk).get()
    assert correction.corrects == first and correction.change_note == "A finding recorded late."
    assert list(Release.objects.current()) == [correction]


def test_a_period_that_has_not_ended_is_not_published(db):
    with pytest.raises(CommandError, match="not ended"):
        call_command("publish_report", "2099Q1", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a period"):
        call_command("publish_report", "2026Q5", stdout=io.StringIO())
    assert not Release.objects.exists()


def test_public_pages_serve_the_stored_release_without_querying_cases(client, quarter):
    release, _ = publish(quarter["period"])
    before = client.get(f"/en/data/{release.period}/")
    assert before.status_code == 200
    # A complaint filed after publication changes nothing on the public page: no live differencing.
    file_complaint(narrative="Late complaint", filer_role="harmed", language="en", channel="web",
                   received_at=quarter["cases"][0].complaint.received_at,
                   allegations=[{"category": Category.objects.get(code="other")}], label="public filer")
    urls = [f"/en/data/{release.period}/", "/en/data/", f"/es/data/{release.period}/dictionary/",
            f"/en/data/{release.period}/files/complaints_by_channel.csv", "/en/data/releases.json"]
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        tables = " ".join(q["sql"] for q in queries.captured_queries)
        for case_table in ("complaints_complaint", "complaints_allegation", "investigations_", "referrals_"):
            assert case_table not in tables, (url, case_table)
    def main(response):
        page = re.sub(r' nonce="[^"]*"', "", response.content.decode())  # the CSP nonce differs per response
        return page[page.index("<main"):page.index("</main>")]

    assert main(client.get(f"/en/data/{release.period}/")) == main(before)


def test_csv_json_and_pdf_downloads(client, quarter):
    release, _ = publish(quarter["period"])
    csv_response = client.get(f"/en/data/{release.period}/files/complaints_by_channel.csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    body = csv_response.content.decode()
    assert "Online form,9" in body
    assert csv_response["X-Content-SHA256"] == ReleaseFile.objects.get(release=release,
                                                                       name="complaints_by_channel.csv").sha256
    api = client.get("/en/data/releases.json").json()
    assert api["releases"][0]["period"] == release.period
    assert api["releases"][0]["files"]["release.json"]["sha256"]
    document = json.loads(client.get(f"/en/data/{release.period}/files/release.json").content)
    assert document["suppression"]["threshold"] == 3 and document["chain_head"] == release.chain_head
    for language in ("en", "es", "ar", "zh-hans"):
        pdf = client.get(f"/{language}/data/{release.period}/report.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert release.period in text


def test_missing_or_malformed_periods_are_404(client, db):
    for url in ("/en/data/2026Q1/", "/en/data/nonsense/", "/en/data/2026Q1/report.pdf",
                "/en/data/2026Q1/files/release.json"):
        assert client.get(url).status_code == 404


def test_the_public_home_page_links_to_the_statistics(client, db):
    assert 'href="/es/data/"' in client.get("/es/").content.decode()


@pytest.mark.parametrize("role,allowed", [
    (roles.SUPERVISOR, True), (roles.CHIEF, True), (roles.AUDITOR, True), (roles.ADMINISTRATOR, True),
    (roles.INVESTIGATOR, False), (roles.INTAKE_COORDINATOR, False), (roles.POST_LIAISON, False),
])
def test_live_statistics_are_for_supervisors_the_chief_and_auditors(client, staff, role, allowed):
    client.force_login(staff[role])
    response = client.get("/staff/statistics/")
    assert response.status_code == (200 if allowed else 403)


def test_live_statistics_are_unsuppressed_and_their_csv_export_is_logged(client, quarter):
    from django.apps import apps

    client.force_login(quarter["staff"][roles.SUPERVISOR])
    response = client.get("/staff/statistics/", {"start": "2026-04-01", "end": "2026-06-30"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="withheld"' not in page and ">1<" in page  # the lone mail complaint is shown
    export_log = apps.get_model("referrals", "ExportLog")
    before = export_log.objects.count()
    csv_response = client.get("/staff/statistics/", {"start": "2026-04-01", "end": "2026-06-30", "format": "csv"})
    assert csv_response.status_code == 200 and b"Mail" in csv_response.content
    log = export_log.objects.order_by("-pk").first()
    assert export_log.objects.count() == before + 1
    assert log.sha256 == hashlib.sha256(csv_response.content).hexdigest()
    assert log.exported_by == quarter["staff"][roles.SUPERVISOR]


def test_a_bad_date_range_is_a_clear_400(client, staff):
    client.force_login(staff[roles.CHIEF])
    response = client.get("/staff/statistics/", {"start": "2026-06-30", "end": "2026-04-01"})
    assert response.status_code == 400
    assert b"start date must be on or before" in response.content


def test_the_chief_previews_then_publishes_and_a_supervisor_cannot(client, quarter):
    client.force_login(quarter["staff"][roles.SUPERVISOR])
    assert client.get("/staff/statistics/publish/").status_code == 403
    client.force_login(quarter["staff"][roles.CHIEF])
    preview = client.post("/staff/statistics/publish/", {"period": quarter["period"], "confirm": "0"})
    assert preview.status_code == 200 and b"withheld" in preview.content
    assert not Release.objects.exists()
    published = client.post("/staff/statistics/publish/", {"period": quarter["period"], "confirm": "1"})
    assert published.status_code == 302
    assert Release.objects.get().published_by == quarter["staff"][roles.CHIEF]
    again = client.post("/staff/statistics/publish/", {"period": quarter["period"], "confirm": "1"})
    assert again.status_code == 409 and b"already published" in again.content
    assert Release.objects.count() == 1


def test_triage_records_the_characteristic_of_a_bias_allegation_only(quarter):
    from investigations import services

    case = quarter["cases"][-1]  # filed as bias (race)
    allegation = case.complaint.allegations.get()
    bias = Category.objects.get(code="bias")
    services.triage_complaint(case, by=quarter["staff"][roles.INTAKE_COORDINATOR], reason="classified",
                              allegation_changes={allegation.pk: {"category": bias,
                                                                  "bias_characteristic": "language"}})
    allegation.refresh_from_db()
    assert allegation.bias_characteristic == "language"
    assert allegation.history.first().history_change_reason.startswith("triaged")


def test_each_table_shows_its_total_over_the_quarters_published(client, quarter, settings):
    from publicdata.models import Release as Stored

    publish(quarter["period"])
    call_command("publish_report", "2026Q1", stdout=io.StringIO())  # an earlier, empty quarter
    assert Stored.objects.count() == 2
    page = client.get(f"/en/data/{quarter['period']}/").content.decode()
    assert 'id="series-complaints_by_channel-title"' in page
    # The series says in words what it draws: the empty quarter's total (0) and this one's (13).
    description = page[page.index('id="series-complaints_by_channel-desc">'):]
    description = description[:description.index("</desc>")]
    assert "2026Q1: 0" in description and "2026Q2: 13" in description
