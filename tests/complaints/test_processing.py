"""Evidence processing on real media made by ffmpeg and a real clamd: scan, probe, poster, playable copy."""

import hashlib
import json
import subprocess

import pytest
from django.core.files.storage import storages

from complaints import tasks
from complaints.models import DerivedFile, EvidenceProcessing
from complaints.processing import process_now, run_step
from tests.servers import h264_mp4, hevc_mov

pytestmark = pytest.mark.django_db
State = EvidenceProcessing.State


def stored_sha256(name):
    digest = hashlib.sha256()
    with storages["evidence"].open(name, "rb") as handle:
        while chunk := handle.read(65536):
            digest.update(chunk)
    return digest.hexdigest()


def ffprobe(path):
    return json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams",
                                      "-show_format", str(path)], capture_output=True, text=True, check=True).stdout)


def test_iphone_hevc_mov_gets_metadata_poster_and_a_playable_h264_copy(attach, clamd, tmp_path):
    original = attach(hevc_mov(tmp_path / "IMG_0001.MOV"))
    assert original.processing.state == State.QUEUED

    assert process_now(original.pk) == State.READY

    processing = EvidenceProcessing.objects.get(evidence=original)
    assert processing.scan_verdict == "clean" and processing.scanner.startswith("ClamAV")
    meta = processing.media_metadata
    assert meta["video_codec"] == "hevc" and meta["audio_codec"] == "aac"
    assert (meta["width"], meta["height"]) == (320, 240)
    assert 1.9 < meta["duration"] < 2.2
    assert meta["device"] == "Apple iPhone 15"
    assert meta["gps"].startswith("+40.7128-074.0060")
    assert meta["recorded_at"].startswith("2026-11-01")

    derived = {d.purpose: d for d in original.derived_files.all()}
    assert set(derived) == {"playback", "poster", "thumbnail"}
    copy = derived["playback"]
    assert copy.mime_type == "video/mp4" and copy.tool.startswith("ffmpeg ")
    assert copy.original_sha256 == original.sha256
    assert copy.sha256 == stored_sha256(copy.file.name) and copy.size == storages["evidence"].size(copy.file.name)
    local = tmp_path / "copy.mp4"
    local.write_bytes(storages["evidence"].open(copy.file.name).read())
    probed = ffprobe(local)
    codecs = {s["codec_type"]: s["codec_name"] for s in probed["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    head = local.read_bytes()
    assert head.index(b"moov") < head.index(b"mdat")  # +faststart: playback starts before the download ends
    # The copy carries no location or device (the original keeps them).
    tags = json.dumps([probed["format"].get("tags", {})] + [s.get("tags", {}) for s in probed["streams"]]).lower()
    assert "location" not in tags and "iphone" not in tags and "apple" not in tags
    assert derived["poster"].mime_type == "image/jpeg"
    assert storages["evidence"].open(derived["thumbnail"].file.name).read(3) == b"\xff\xd8\xff"
    # The original is untouched, and every derived file is a record with history.
    assert stored_sha256(original.file.name) == original.sha256
    assert DerivedFile.history.filter(original=original).count() == 3


def test_file_matching_the_test_signature_is_quarantined_kept_and_never_processed(attach, clamd, infected_file):
    original = attach(infected_file)

    assert process_now(original.pk) == State.QUARANTINED

    processing = EvidenceProcessing.objects.get(evidence=original)
    assert processing.scan_verdict == "infected"
    assert processing.scan_signature.startswith("infected.mp4")
    assert not original.derived_files.exists()
    assert stored_sha256(original.file.name) == original.sha256  # kept as it came
    assert processing.history.filter(state=State.QUARANTINED).exists()


def test_browser_playable_mp4_gets_a_poster_but_no_copy(attach, clamd, tmp_path):
    original = attach(h264_mp4(tmp_path / "clip.mp4"))
    assert process_now(original.pk) == State.READY
    assert set(original.derived_files.values_list("purpose", flat=True)) == {"poster", "thumbnail"}


def test_running_a_step_again_makes_nothing_new(attach, clamd, tmp_path):
    original = attach(hevc_mov(tmp_path / "clip.mov", seconds=1))
    process_now(original.pk)
    made = list(original.derived_files.values_list("pk", "sha256"))
    for step in ("scan", "probe", "pictures", "playable", "finish"):
        run_step(original.pk, step)
    assert list(original.derived_files.values_list("pk", "sha256")) == made
    assert EvidenceProcessing.objects.get(evidence=original).state == State.READY


def test_damaged_video_fails_with_the_reason_and_the_original_is_kept(attach, settings, tmp_path):
    settings.EVIDENCE_SCAN = "off"
    good = h264_mp4(tmp_path / "good.mp4").read_bytes()
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(good[:2000])  # the phone lost the connection: header only
    original = attach(damaged)

    for job in (tasks.scan, tasks.probe, tasks.pictures, tasks.playable):
        job.apply(args=[original.pk])

    processing = EvidenceProcessing.objects.get(evidence=original)
    assert processing.state == State.FAILED
    assert processing.failure_reason
    assert processing.scan_verdict == "not scanned"
    assert stored_sha256(original.file.name) == original.sha256


def test_scanner_unreachable_is_retried_then_failed_without_losing_the_original(attach, settings, tmp_path):
    settings.EVIDENCE_SCAN = "clamd"
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    settings.CLAMD_TCP = ""
    original = attach(h264_mp4(tmp_path / "clip.mp4"))

    result = tasks.scan.apply(args=[original.pk])

    assert result.failed()
    processing = EvidenceProcessing.objects.get(evidence=original)
    assert processing.state == State.FAILED
    assert processing.failure_reason.startswith("ScannerUnavailable")
    # Each attempt (the first and every retry) recorded itself as processing before it failed.
    assert processing.history.filter(state=State.FAILED).count() == 1
    assert stored_sha256(original.file.name) == original.sha256


def test_jobs_are_sent_only_after_the_filing_commits(attach, clamd, tmp_path, django_capture_on_commit_callbacks):
    from config.celery import app

    with django_capture_on_commit_callbacks() as callbacks:
        original = attach(hevc_mov(tmp_path / "IMG_0002.MOV", seconds=1))
        assert EvidenceProcessing.objects.get(evidence=original).state == State.QUEUED
    assert len(callbacks) == 1  # nothing was sent while the transaction was open

    app.conf.task_always_eager = True  # run what the callback sends, here, through Celery's own machinery
    try:
        callbacks[0]()
    finally:
        app.conf.task_always_eager = False
    assert EvidenceProcessing.objects.get(evidence=original).state == State.READY
    assert original.derived_files.filter(purpose="playback").exists()


def test_process_evidence_command_sends_stalled_and_failed_jobs_again(attach, settings, tmp_path):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from complaints.history import recorded
    from config.celery import app

    settings.EVIDENCE_SCAN = "off"
    stalled = attach(h264_mp4(tmp_path / "a.mp4"))
    failed = attach(h264_mp4(tmp_path / "b.mp4"))
    fresh = attach(h264_mp4(tmp_path / "c.mp4"))
    for item, state in ((stalled, State.QUEUED), (failed, State.FAILED)):
        processing = EvidenceProcessing.objects.get(evidence=item)
        processing.state, processing.updated_at = state, timezone.now() - timedelta(hours=2)
        with recorded(label="test", reason="a job lost with the broker"):
            processing.save()

    app.conf.task_always_eager = True
    try:
        call_command("process_evidence", "--failed")
    finally:
        app.conf.task_always_eager = False

    states = {e.pk: EvidenceProcessing.objects.get(evidence=e).state for e in (stalled, failed, fresh)}
    assert states == {stalled.pk: State.READY, failed.pk: State.READY, fresh.pk: State.QUEUED}
