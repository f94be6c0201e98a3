"""Referral packets and case files: what is in them, that each export is logged, and that nothing is fetched."""

import csv
import datetime
import hashlib
import http.server
import io
import json
import logging
import threading
import zipfile

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from complaints import roles
from complaints.chain import chain_head
from complaints.exceptions import PurgeRefused
from complaints.history import recorded
from complaints.pdf import html_to_pdf
from investigations import services
from investigations.exceptions import NotPermitted
from referrals import exports
from referrals import services as referral_services
from referrals.models import ExportLog, Referral
from tests.factories import decide, pdf_text, squeezed, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def terminated(file_case, team, certified):
    """A sustained force case ending in termination: one referral under (a)(1) and (a)(2)."""
    case = file_case(categories=("excessive-force",))
    decide(case, team, certified, outcome="termination", reason="Struck a handcuffed man; untruthful report.")
    return Referral.objects.get()


@pytest.fixture
def resigned(file_case, team, roster):
    """The sergeant resigns 20 days ago during an investigation, after notice: an overdue referral."""
    case = file_case(officer="sergeant", received_at=timezone.now() - datetime.timedelta(days=60))
    walk(case, team, "investigating")
    services.record_officer_separation(roster["sergeant"], by=team["supervisor"], investigation=case,
                                       separation_date=timezone.localdate() - datetime.timedelta(days=20),
                                       reason="resigned", notice_served=True)
    return Referral.objects.get(officer=roster["sergeant"])


def test_pdf_packet_holds_the_referral_and_its_export_is_logged(client, liaison, terminated, certified):
    head_before = chain_head()
    client.force_login(liaison)

    response = client.get(f"/staff/referrals/{terminated.pk}/export.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    log = ExportLog.objects.get()
    assert log.sha256 == hashlib.sha256(content).hexdigest() == response["X-Content-SHA256"]
    assert (log.kind, log.format, log.referral, log.exported_by) == ("referral", "pdf", terminated, liaison)
    assert log.investigation == terminated.investigation
    assert log.chain_head == head_before
    text = pdf_text(content)
    for expected in ("Cy Patrol", "IL-2011-48213", "Springfield Police Department", "IL0840200",
                     "il-a1-suspension-10-days", "il-a2-formal-investigation", terminated.due_date.isoformat(),
                     "Too much force was used", "Sustained", "Termination", "Struck a handcuffed man",
                     "Illinois Law Enforcement Training and Standards Board", "50 ILCS 705/9.2",
                     terminated.investigation.complaint.reference):
        assert expected in text, expected
    # The chain head is in the footer of every page (it may wrap, so compare without whitespace).
    for page in PdfReader(io.BytesIO(content)).pages:
        assert head_before in squeezed(page.extract_text())


def test_json_packet_fields(client, liaison, terminated, certified):
    client.force_login(liaison)

    response = client.get(f"/staff/referrals/{terminated.pk}/export.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    log = ExportLog.objects.get(format="json")
    assert log.sha256 == hashlib.sha256(response.content).hexdigest()
    assert document["chain_head"] == log.chain_head
    [packet] = document["referrals"]
    decision = terminated.discipline
    assert packet["officer_name"] == "Cy Patrol"
    assert packet["certification_number"] == "IL-2011-48213"
    assert packet["agency"] == {"name": "Springfield Police Department", "ori": "IL0840200"}
    assert packet["action_type"] == "termination"
    assert packet["action_date"] == timezone.localdate(decision.decided_at).isoformat()
    assert packet["reason"].startswith("(a)(1)")
    assert "Too much force was used" in packet["reason"]
    assert packet["due_date"] == terminated.due_date.isoformat()
    assert packet["rules_met"] == ["il-a1-suspension-10-days", "il-a2-formal-investigation"]
    assert [a["approved_finding"] for a in packet["allegations"]] == ["Sustained"]
    assert packet["discipline_in_force"]["outcome"] == "termination"
    assert packet["separation"] is None
    assert packet["case"]["reference"] == terminated.investigation.complaint.reference


def test_csv_fields_and_formula_cells_are_neutralised(client, liaison, terminated):
    with recorded(label="test", reason="a board reference that looks like a formula"):
        terminated.board_reference = "=HYPERLINK(\"http://evil.example\")"
        terminated.save()
    client.force_login(liaison)

    response = client.get(f"/staff/referrals/{terminated.pk}/export.csv")

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0].keys()) == exports.CSV_FIELDS
    [row] = rows
    assert row["officer_name"] == "Cy Patrol"
    assert row["certification_number"] == "IL-2011-48213"
    assert row["agency_name"] == "Springfield Police Department"
    assert row["action_type"] == "termination"
    assert row["due_date"] == terminated.due_date.isoformat()
    assert row["rules_met"] == "il-a1-suspension-10-days;il-a2-formal-investigation"
    assert row["board_reference"].startswith("'=")
    assert ExportLog.objects.get().sha256 == hashlib.sha256(response.content).hexdigest()


def test_bulk_export_zips_every_referral_due_in_the_range(client, liaison, terminated, resigned):
    client.force_login(liaison)
    start = resigned.due_date
    end = resigned.due_date + datetime.timedelta(days=1)
    assert not (start <= terminated.due_date <= end)

    response = client.get("/staff/referrals/bulk/", {"start": start.isoformat(), "end": end.isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    stem = f"referral-{resigned.investigation.complaint.reference}-{resigned.pk}"
    assert sorted(archive.namelist()) == sorted([f"{stem}.pdf", f"{stem}.json", "referrals.csv", "manifest.json"])
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["referral_ids"] == [resigned.pk]
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    packet = json.loads(archive.read(f"{stem}.json"))["referrals"][0]
    assert packet["action_type"] == "resigned_during_investigation"
    assert packet["separation"]["notice_served"] is True
    assert "Bo Sergeant" in pdf_text(archive.read(f"{stem}.pdf"))
    log = ExportLog.objects.get()
    assert (log.kind, log.format, log.range_start, log.range_end) == ("bulk", "zip", start, end)
    assert log.referral_ids == [resigned.pk]
    assert log.sha256 == hashlib.sha256(response.content).hexdigest()


def test_bulk_export_refuses_a_reversed_range(client, liaison):
    client.force_login(liaison)

    response = client.get("/staff/referrals/bulk/", {"start": "2026-05-02", "end": "2026-05-01"})

    assert response.status_code == 400
    assert ExportLog.objects.count() == 0


@pytest.mark.parametrize("role", [roles.INVESTIGATOR, roles.SUPERVISOR, roles.CHIEF, roles.AUDITOR,
                                  roles.INTAKE_COORDINATOR, roles.ADMINISTRATOR])
def test_no_one_but_the_liaison_exports_referrals(client, team, terminated, role):
    client.force_login(team[role])

    urls = [f"/staff/referrals/{terminated.pk}/export.{fmt}" for fmt in ("pdf", "json", "csv")]
    urls += ["/staff/referrals/bulk/?start=2026-01-01&end=2027-01-01"]
    if role != roles.AUDITOR:  # the auditor reads the export log (read-only), but exports nothing
        urls.append("/staff/referrals/exports/")
    for url in urls:
        assert client.get(url).status_code == 403, (role, url)
    with pytest.raises(NotPermitted):
        referral_services.export_referral(terminated, "pdf", by=team[role])
    assert ExportLog.objects.count() == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, terminated):
    response = client.get(f"/staff/referrals/{terminated.pk}/export.pdf")

    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]
    assert ExportLog.objects.count() == 0


def test_the_export_log_is_append_only(client, liaison, terminated):
    client.force_login(liaison)
    client.get(f"/staff/referrals/{terminated.pk}/export.json")
    log = ExportLog.objects.get()

    with pytest.raises(PurgeRefused):
        ExportLog.objects.filter(pk=log.pk).update(sha256="0" * 64)
    with pytest.raises(PurgeRefused):
        log.delete()
    for sql in (f"UPDATE referrals_exportlog SET sha256 = 'x' WHERE id = {log.pk}",
                f"DELETE FROM referrals_exportlog WHERE id = {log.pk}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    log.refresh_from_db()
    assert len(log.sha256) == 64 and log.sha256 != "0" * 64


class CountingHandler(http.server.BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        CountingHandler.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listening_server():
    CountingHandler.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_urls_in_data_are_printed_never_fetched(client, liaison, file_case, team, certified, listening_server):
    bait = f'<img src="file:///etc/passwd"> <link rel=stylesheet href="{listening_server}/x.css"> file:///etc/passwd'
    case = file_case(categories=("excessive-force",))
    decide(case, team, certified, outcome="termination", reason=bait)
    referral = Referral.objects.get()
    client.force_login(liaison)

    response = client.get(f"/staff/referrals/{referral.pk}/export.pdf")

    text = pdf_text(response.content)
    assert "file:///etc/passwd" in text
    assert "root:" not in text
    assert CountingHandler.requests == []


def test_the_pdf_renderer_refuses_every_url_even_in_markup(listening_server, caplog):
    html = (f'<html><head><link rel="stylesheet" href="{listening_server}/style.css"></head><body>'
            f'<img src="file:///etc/passwd"><img src="{listening_server}/a.png"><p>text</p></body></html>')

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = html_to_pdf(html)

    assert content.startswith(b"%PDF")
    assert CountingHandler.requests == []
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("file:///etc/passwd" in m for m in refused), refused
    assert any(listening_server in m for m in refused), refused


def test_names_in_any_script_are_printed_with_noto_fonts(client, liaison, file_case, team, roster):
    officer = roster["officer"]
    with recorded(label="test", reason="roster name in the officer's own script"):
        officer.first_name, officer.last_name = "伟", "王"
        officer.save()
    case = file_case(categories=("excessive-force",))
    decide(case, team, officer, outcome="termination", reason="Ударил задержанного; ضرب المحتجز")
    client.force_login(liaison)

    response = client.get(f"/staff/referrals/{Referral.objects.get().pk}/export.pdf")

    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    assert "伟 王" in text and "Ударил задержанного" in text
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values() if "/BaseFont" in font.get_object()}
    assert any(name.endswith("+Noto-Sans-CJK-SC") for name in fonts), fonts
    assert any(name.endswith("+Noto-Sans-Arabic") for name in fonts), fonts
    assert any(name.endswith("+Noto-Sans") for name in fonts), fonts
