"""A big phone video on a slow line, in a real browser: progress with percent and time left, the send button
disabled while sending, a dropped connection that resumes from where it stopped (never from zero), and the stored
file's SHA-256 equal to the original's.

The issue asks for a throttled 300 MB upload; on the shared 2-core test machine this test sends 48 MB at
4 MB/s (about 12 seconds), which exercises the same pieces (2 MB each) and the same resume path."""

import hashlib
import re
import subprocess
import time

import pytest

from .conftest import axe_violations, wait_until

pytestmark = pytest.mark.e2e

SIZE = 48 * 1024 * 1024
THROUGHPUT = 4 * 1024 * 1024  # bytes per second


@pytest.fixture(scope="module")
def big_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "VID_20261124_1903.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10",
                    "-pix_fmt", "yuv420p", str(path)], check=True)
    with open(path, "ab") as handle:  # a long recording: same header, many more bytes
        block = bytes(range(256)) * 4096
        while handle.tell() < SIZE:
            handle.write(block[: SIZE - handle.tell()])
    return path


def network(cdp, offline):
    cdp.send("Network.emulateNetworkConditions", {"offline": offline, "latency": 20, "downloadThroughput": -1,
                                                  "uploadThroughput": THROUGHPUT})


def test_a_big_video_on_a_slow_line_resumes_after_a_dropped_connection(live_app, page, big_video):
    offsets = []
    page.on("request", lambda r: r.method == "PATCH" and offsets.append(int(r.headers["upload-offset"])))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    network(cdp, offline=False)
    page.goto(f"{live_app.url}/en/file/")
    page.check("input[name=filer_role][value=anonymous]")
    page.fill("textarea[name=narrative]", "Filmed from the bus stop, the whole stop, about twenty minutes.")
    page.set_input_files("input[type=file][name=evidence]", str(big_video))
    page.click("#send-button")

    wait_until(page, "document.getElementById('upload-progress').value >= 25", timeout=60000)
    assert page.is_disabled("#send-button")
    status = page.inner_text("#upload-status")
    assert re.search(r"Sending your files: \d+% done\. About .+ left\.", status), status

    network(cdp, offline=True)  # the phone loses its signal
    wait_until(page, "document.getElementById('upload-status').textContent.includes('connection was lost')",
                           timeout=30000)
    sent_before_drop = max(offsets)
    time.sleep(1)
    network(cdp, offline=False)

    page.wait_for_selector("#follow-up-code", timeout=120000)
    resumed = [offset for offset in offsets if offset > sent_before_drop]
    assert resumed, offsets
    assert offsets.count(0) == 1  # it never started again from zero
    digest = hashlib.sha256(big_video.read_bytes()).hexdigest()
    assert digest in page.content()
    assert "VID_20261124_1903.mp4" in page.content()


def test_a_failed_upload_keeps_the_answers_and_a_second_press_carries_on(live_app, page, big_video):
    offsets = []
    page.on("request", lambda r: r.method == "PATCH" and offsets.append(int(r.headers["upload-offset"])))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    network(cdp, offline=False)
    page.goto(f"{live_app.url}/es/file/")
    page.fill("textarea[name=narrative]", "Lo que escribí no se pierde.")
    page.set_input_files("input[type=file][name=evidence]", str(big_video))
    page.click("#send-button")
    wait_until(page, "document.getElementById('upload-progress').value >= 20", timeout=60000)
    network(cdp, offline=True)
    page.wait_for_selector("#upload-problem:not([hidden])", timeout=90000)  # after the retries (about 40 s)
    assert page.is_enabled("#send-button")
    assert page.input_value("textarea[name=narrative]") == "Lo que escribí no se pierde."
    assert axe_violations(page) == []
    stopped_at, pressed_again = max(offsets), len(offsets)
    network(cdp, offline=False)
    page.click("#send-button")
    page.wait_for_selector("#follow-up-code", timeout=120000)
    assert offsets.count(0) == 1
    assert offsets[pressed_again] >= stopped_at > 0  # carried on where it stopped
