"""The production processes for real: gunicorn with config/gunicorn.conf.py, WhiteNoise, /healthz, and a Celery
worker processing evidence filed through gunicorn."""

import re
import time

import pytest
import requests

from tests.servers import Clamd, ProductionStack, hevc_mov


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("stack")
    infected = hevc_mov(workdir / "not-evidence.mov", seconds=1)  # a signature that matches nothing we file
    clamd = Clamd(workdir / "clamd", infected)
    stack = ProductionStack(workdir / "var", clamd)
    yield stack
    stack.stop()
    clamd.stop()


def test_healthz_says_ok_and_nothing_more(stack):
    response = requests.get(stack.url + "/healthz", timeout=10)
    assert response.status_code == 200
    assert response.text == "ok\n"
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_static_files_come_from_whitenoise_with_hashed_names_and_compression(stack):
    # The filing form's script (the admin's sign-in page now sends staff to the staff sign-in).
    page = requests.get(stack.url + "/en/file/", timeout=10).text
    script = re.search(r'src="(/static/intake/form-enhancements\.[0-9a-f]{12}\.js)"', page)
    assert script, "collectstatic's hashed name is used"
    response = requests.get(stack.url + script.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]


def test_complaint_filed_through_gunicorn_has_its_hevc_video_processed_by_the_worker(stack, tmp_path):
    video = hevc_mov(tmp_path / "IMG_0042.MOV", seconds=2)
    session = requests.Session()
    form = session.get(stack.url + "/en/file/", timeout=10).text
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|submission)" value="([^"]*)"', form))
    with open(video, "rb") as handle:
        response = session.post(stack.url + "/en/file/", data={
            **fields, "filer_role": "anonymous", "narrative": "Filed through gunicorn."},
            files={"evidence": ("IMG_0042.MOV", handle, "video/quicktime")},
            headers={"Referer": stack.url + "/en/file/"}, timeout=60)
    assert response.status_code == 200
    assert 'id="follow-up-code"' in response.text

    state = ""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        state = stack.query("from complaints.models import EvidenceProcessing as P; "
                            "print(P.objects.get().state)")
        if state in ("ready", "failed", "quarantined"):
            break
        time.sleep(1)
    assert state == "ready", (stack.dir / "worker.log").read_text()[-2000:]
    made = stack.query("from complaints.models import DerivedFile as D; "
                       "print(sorted(D.objects.values_list('purpose', flat=True)))")
    # Filed anonymously, so its original is sealed: the worker made the copy without location and device too.
    assert made == "['playback', 'poster', 'stripped', 'thumbnail']"
    verdict = stack.query("from complaints.models import EvidenceProcessing as P; print(P.objects.get().scan_verdict)")
    assert verdict == "clean"


def test_complaints_filed_against_an_officer_are_evaluated_for_early_intervention_by_the_worker(stack):
    # Three complaints in a year flag a patrol officer (a seeded rule); each filing sends the evaluation of the
    # officers it names to the worker once it commits.
    stack.query(
        "import datetime; from django.utils import timezone; from complaints.history import recorded;"
        "from complaints.models import Category, Officer; from complaints.services import file_complaint;"
        "roster = recorded(label='test', reason='test roster'); roster.__enter__();"
        "officer = Officer.objects.create(first_name='Lee', last_name='Marsh', employee_id='EI-W1',"
        " star_number='7101', assignment_type='patrol');"
        "roster.__exit__(None, None, None);"
        "force = Category.objects.get(code='excessive-force');"
        "[file_complaint(narrative='He pushed me.', filer_role='anonymous', language='en', label='public filer',"
        " received_at=timezone.now() - datetime.timedelta(days=days), allegations=[{'officer': officer,"
        " 'category': force}]) for days in (3, 30, 60)]")
    rules = ""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        rules = stack.query("from early_intervention.models import Alert; print(list(Alert.objects.filter("
                            "officer__employee_id='EI-W1').values_list('rule__code', flat=True)))")
        if rules != "[]":
            break
        time.sleep(1)
    assert rules == "['patrol-complaints']", (stack.dir / "worker.log").read_text()[-2000:]


def _peak_memory_kib(pid):
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def test_a_large_upload_streams_through_gunicorn_without_growing_its_memory(stack, tmp_path):
    import subprocess

    [worker_pid] = [int(p) for p in subprocess.run(["pgrep", "-P", str(stack.web.pid)], capture_output=True,
                                                   text=True).stdout.split()]
    session = requests.Session()
    form = session.get(stack.url + "/en/file/", timeout=10).text
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|submission)" value="([^"]*)"', form))
    before = _peak_memory_kib(worker_pid)
    # A 300 MB multipart body written to disk and sent from the file, so neither side holds it in memory.
    boundary = "----complaints-test-boundary"
    body = tmp_path / "body"
    with open(body, "wb") as out:
        for name, value in {**fields, "filer_role": "anonymous", "narrative": "A long video."}.items():
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="long.mp4"\r\n'
                  f"Content-Type: video/mp4\r\n\r\n".encode())
        out.write(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
        chunk = bytes(range(256)) * 4096
        for _ in range(300):
            out.write(chunk)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    with open(body, "rb") as handle:
        response = session.post(stack.url + "/en/file/", data=handle, timeout=300, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(body.stat().st_size),
            "Referer": stack.url + "/en/file/"})
    assert response.status_code == 200 and 'id="follow-up-code"' in response.text
    size = stack.query("from complaints.models import Evidence as E; print(E.objects.order_by('pk').last().size)")
    assert int(size) == 24 + 300 * 1024 * 1024
    assert _peak_memory_kib(worker_pid) - before < 40 * 1024  # far below the 300 MB that went through
