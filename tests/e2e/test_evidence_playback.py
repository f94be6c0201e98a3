"""A phone's HEVC .mov, filed through gunicorn, processed by the worker, plays in Chromium as the derived copy."""

import re
import secrets
import time

import pytest
import requests
from django_otp.oath import totp

from tests.servers import Clamd, ProductionStack, hevc_mov

from .conftest import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("playback-stack")
    clamd = Clamd(workdir / "clamd", hevc_mov(workdir / "signature-only.mov", seconds=1))
    stack = ProductionStack(workdir / "var", clamd)
    yield stack
    stack.stop()
    clamd.stop()


def file_with_video(stack, path):
    session = requests.Session()
    form = session.get(stack.url + "/en/file/", timeout=10).text
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|submission)" value="([^"]*)"', form))
    with open(path, "rb") as handle:
        response = session.post(stack.url + "/en/file/", data={
            **fields, "filer_role": "anonymous", "narrative": "The stop, filmed on my phone."},
            files={"evidence": (path.name, handle, "video/quicktime")},
            headers={"Referer": stack.url + "/en/file/"}, timeout=60)
    return re.search(r'id="reference">([^<]+)<', response.text).group(1)


def test_staff_play_the_derived_copy_of_an_iphone_hevc_video(stack, page, tmp_path):
    reference = file_with_video(stack, hevc_mov(tmp_path / "IMG_1234.MOV", seconds=3))
    deadline = time.monotonic() + 180
    while stack.query("from complaints.models import EvidenceProcessing as P; print(P.objects.get().state)") \
            != "ready" and time.monotonic() < deadline:
        time.sleep(1)
    key = secrets.token_hex(20)
    stack.query("from django.contrib.auth.models import User, Group;"
                "from django_otp.plugins.otp_totp.models import TOTPDevice;"
                "u = User.objects.create_user('e2e-intake', password='e2e-long-password-123');"
                "u.groups.add(Group.objects.get(name='intake coordinator'));"
                f"TOTPDevice.objects.create(user=u, name='phone', key={key!r}, confirmed=True)")

    page.goto(stack.url + "/staff/login/")
    page.get_by_label("User name").fill("e2e-intake")
    page.get_by_label("Password").fill("e2e-long-password-123")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(f"{totp(bytes.fromhex(key)):06d}")  # every staff role signs in with a second factor
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(stack.url + "/staff/")
    page.goto(f"{stack.url}/staff/cases/{reference}/")

    video = page.locator("video.evidence-video")
    assert "/staff/evidence/derived/" in video.get_attribute("src")
    assert page.evaluate("document.createElement('video').canPlayType('video/mp4; codecs=\"avc1.42E01E, mp4a.40.2\"')")
    video.evaluate("v => v.load()")
    wait_until(page, "document.querySelector('video.evidence-video').readyState >= 1", timeout=20000)
    duration = video.evaluate("v => v.duration")
    assert 2.5 < duration < 3.5
    # Seek and play: the copy answers Range requests, so the browser can jump into it.
    video.evaluate("v => { v.muted = true; v.currentTime = 2; return v.play(); }")
    wait_until(page, "document.querySelector('video.evidence-video').currentTime >= 2", timeout=20000)
    assert video.evaluate("v => v.error") is None
