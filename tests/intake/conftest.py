import re
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from complaints.models import Complaint

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"

# name -> (ffmpeg arguments, expected kind). Real media made by ffmpeg, as a phone would send it.
_VIDEO = ["-f", "lavfi", "-i", "testsrc=duration=1:size=176x144:rate=10"]
_AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
_H264 = ["-pix_fmt", "yuv420p", "-c:v", "libx264"]
FFMPEG_MEDIA = {
    "clip.mp4": (_VIDEO + _H264, "video"),
    "clip.mov": (_VIDEO + _H264, "video"),
    "clip.m4v": (_VIDEO + _H264 + ["-f", "ipod"], "video"),
    "clip.3gp": (_VIDEO + _H264, "video"),
    "clip.webm": (_VIDEO + ["-c:v", "libvpx"], "video"),
    "clip.mkv": (_VIDEO + _H264, "video"),
    "clip.avi": (_VIDEO + ["-c:v", "mpeg4"], "video"),
    "photo.jpg": (_VIDEO + ["-frames:v", "1"], "photo"),
    "photo.png": (_VIDEO + ["-frames:v", "1"], "photo"),
    "photo.webp": (_VIDEO + ["-frames:v", "1", "-c:v", "libwebp"], "photo"),
    "voice.m4a": (_AUDIO + ["-c:a", "aac"], "audio"),
    "voice.mp3": (_AUDIO + ["-c:a", "libmp3lame"], "audio"),
    "voice.wav": (_AUDIO, "audio"),
    "voice.ogg": (_AUDIO + ["-c:a", "libvorbis"], "audio"),
    "voice.aac": (_AUDIO + ["-c:a", "aac", "-f", "adts"], "audio"),
}
# Debian's ffmpeg has no HEIF muxer and no AMR encoder: these two are written byte by byte (an ISO-BMFF 'ftyp'
# box with the heic brand, and an AMR-NB file header followed by NO_DATA frames).
CRAFTED_MEDIA = {
    "photo.heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x08free", "photo"),
    "voice.amr": (b"#!AMR\n" + b"\x7c" * 50, "audio"),
}
ALL_KINDS = {name: kind for name, (_, kind) in {**FFMPEG_MEDIA, **CRAFTED_MEDIA}.items()} | {"letter.pdf": "document"}

REFUSED = {
    "video.mp4": b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>",
    "run.sh": b"#!/bin/sh\nrm -rf /\n",
    "drawing.svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
}


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """URLs for a language resolve only when its catalog is compiled (.mo files are build output)."""
    stale = [
        po for po in LOCALE_DIR.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command("compilemessages", locale=[po.parts[-3] for po in stale], ignore_patterns=[".venv", ".git"],
                     verbosity=0)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    """{file name: Path} of real files of every allowed type, plus refused ones."""
    folder = tmp_path_factory.mktemp("media")
    files = {}
    for name, (args, _kind) in FFMPEG_MEDIA.items():
        path = folder / name
        subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(path)], check=True)
        files[name] = path
    for name, (content, _kind) in CRAFTED_MEDIA.items():
        files[name] = folder / name
        files[name].write_bytes(content)
    from weasyprint import HTML

    files["letter.pdf"] = folder / "letter.pdf"
    files["letter.pdf"].write_bytes(HTML(string="<p>A letter from the hospital.</p>").write_pdf())
    for name, content in REFUSED.items():
        files[name] = folder / name
        files[name].write_bytes(content)
    files["archive.zip"] = folder / "archive.zip"
    with zipfile.ZipFile(files["archive.zip"], "w") as archive:
        archive.writestr("clip.mp4", files["clip.mp4"].read_bytes())
    return files


@pytest.fixture
def filing(client, db):
    """POST the filing form (in `language`) and return the response."""

    def post(data=None, files=(), language="en", **extra):
        payload = {"filer_role": "anonymous", "narrative": "An officer pushed me at the bus stop."}
        payload.update(data or {})
        handles = [open(path, "rb") for path in files]  # noqa: SIM115 - closed below
        try:
            if handles:
                payload["evidence"] = handles
            return client.post(f"/{language}/file/", payload, **extra)
        finally:
            for handle in handles:
                handle.close()

    return post


def shown_code(response):
    """The follow-up code as the receipt page shows it."""
    match = re.search(r'id="follow-up-code">([^<]+)<', response.content.decode())
    assert match, "the receipt shows the follow-up code"
    return match.group(1)


def shown_reference(response):
    match = re.search(r'id="reference">([^<]+)<', response.content.decode())
    assert match, "the receipt shows the reference number"
    return match.group(1)


def stored_files(folder):
    return [path for path in Path(folder).rglob("*") if path.is_file()] if Path(folder).exists() else []


def latest_complaint():
    return Complaint.objects.order_by("-pk").first()


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    """The cache the rate limits live in: the per-process one, and Redis as several app servers share it."""
    if request.param == "redis":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:6379/4",
                                       "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    from django.core.cache import caches

    caches["default"].clear()
    yield caches["default"]
