"""Evidence processing: scan, probe, stripped copy, poster frame and thumbnail, playable copy; one idempotent step
per job.

Each step reads the original through the evidence storage (copying it to a scratch file when ffmpeg needs a
seekable path), never writes to it, and records what it made as a `DerivedFile` with its own SHA-256 and the
tool that made it. Running a step twice finds its work done and does nothing. The jobs themselves (Celery
tasks, retries) are in complaints.tasks; `attach_evidence` queues them after its transaction commits.
"""

import hashlib
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from . import media, scanning
from .history import recorded
from .models import DerivedFile, EvidenceProcessing

PROCESSOR = "evidence processing"
STEPS = ("scan", "probe", "strip", "pictures", "playable", "finish")
# What a probe finds that would identify an anonymous filer: not kept for a sealed original (the original has it).
IDENTIFYING_METADATA = ("device", "gps")
State = EvidenceProcessing.State


def queue_processing(evidence_items):
    """Mark new evidence as queued and send its jobs once the surrounding transaction has committed.

    Called by the service that stores evidence (complaints.services.attach_evidence), inside its transaction:
    a rolled-back filing sends nothing, and a worker never looks for a row that is not committed yet.
    """
    ids = []
    for evidence in evidence_items:
        with recorded(label=PROCESSOR, reason="processing queued"):
            EvidenceProcessing.objects.create(evidence=evidence)
        ids.append(evidence.pk)
    if ids:
        transaction.on_commit(lambda: _send(ids))


def _send(ids):
    from .tasks import pipeline

    for evidence_id in ids:
        pipeline(evidence_id).apply_async()


def requeue(evidence_ids):
    """Send the jobs again (manage.py process_evidence); a failed file starts over from its first unfinished step."""
    for processing in EvidenceProcessing.objects.filter(evidence_id__in=evidence_ids):
        if processing.state == State.FAILED:
            _update(processing, "processing retried", state=State.QUEUED, failure_reason="")
    _send(list(evidence_ids))


def _update(processing, reason, **fields):
    for name, value in fields.items():
        setattr(processing, name, value)
    processing.updated_at = timezone.now()
    with recorded(label=PROCESSOR, reason=reason):
        processing.save()


def run_step(evidence_id, step):
    """Run one step for one evidence file; False when the pipeline stops here (quarantined or failed)."""
    processing = EvidenceProcessing.objects.select_related("evidence").get(evidence_id=evidence_id)
    if processing.state in (State.QUARANTINED, State.FAILED):
        return False
    if step == "finish":
        if processing.state != State.READY:
            _update(processing, "processing finished", state=State.READY, step="", failure_reason="")
        return True
    if processing.state != State.PROCESSING or processing.step != step:
        _update(processing, f"processing: {step}", state=State.PROCESSING, step=step)
    globals()[f"_{step}"](processing)
    return processing.state != State.QUARANTINED


def mark_failed(evidence_id, reason):
    """The step gave up (after its retries): say why on the evidence. The original is untouched."""
    processing = EvidenceProcessing.objects.get(evidence_id=evidence_id)
    if processing.state != State.QUARANTINED:
        _update(processing, "processing failed", state=State.FAILED, failure_reason=str(reason)[:2000])


def process_now(evidence_id):
    """Every step in this process, in order (management commands, tests); returns the final state."""
    for step in STEPS:
        if not run_step(evidence_id, step):
            break
    return EvidenceProcessing.objects.get(evidence_id=evidence_id).state


# --- the steps ------------------------------------------------------------------------------------------------

def _scan(processing):
    if processing.scan_verdict:
        return
    if settings.EVIDENCE_SCAN == "off":
        _update(processing, "scan skipped (EVIDENCE_SCAN=off)", scan_verdict="not scanned")
        return
    scanner = scanning.version()
    with storages["evidence"].open(processing.evidence.file.name, "rb") as handle:
        verdict, signature = scanning.scan(handle)
    if verdict == "infected":
        _update(processing, f"malware found: {signature}", scan_verdict=verdict, scan_signature=signature,
                scanner=scanner[:100], state=State.QUARANTINED, step="")
    else:
        _update(processing, "scanned: clean", scan_verdict=verdict, scanner=scanner[:100])


def _probe(processing):
    evidence = processing.evidence
    if processing.media_metadata or evidence.kind not in ("video", "audio", "photo"):
        return
    with local_copy(evidence) as path:
        metadata = media.probe(path)
    metadata["tool"] = media.ffmpeg_version()
    if evidence.original_sealed:
        for key in IDENTIFYING_METADATA:
            metadata.pop(key, None)
    _update(processing, "media metadata probed", media_metadata=metadata)


def _strip(processing):
    """For a sealed original, the copy staff work from: no location, device serial, make, model or author."""
    evidence = processing.evidence
    if not evidence.original_sealed or evidence.kind not in ("video", "audio", "photo"):
        return
    if evidence.derived_files.filter(purpose=DerivedFile.Purpose.STRIPPED).exists():
        return
    extension = media.STRIPPED_EXTENSIONS.get(evidence.mime_type)
    with local_copy(evidence) as path, scratch() as folder:
        if extension:
            target = folder / f"stripped.{extension}"
            try:
                tool, command = media.stripped_copy(path, target, evidence.kind)
                _derive(evidence, DerivedFile.Purpose.STRIPPED, target, evidence.mime_type, command, tool=tool)
                return
            except media.ToolFailed:
                if evidence.kind == "photo":
                    raise
        # A container ffmpeg cannot write back: a playable MP4 (re-encoded, no metadata) is the copy instead.
        target = folder / "stripped.mp4"
        command = media.playable_copy(path, target, evidence.kind)
        _derive(evidence, DerivedFile.Purpose.STRIPPED, target, "video/mp4" if evidence.kind == "video"
                else "audio/mp4", command)


def _pictures(processing):
    evidence = processing.evidence
    done = set(evidence.derived_files.values_list("purpose", flat=True))
    if evidence.kind == "video" and not {DerivedFile.Purpose.POSTER, DerivedFile.Purpose.THUMBNAIL} <= done:
        with local_copy(evidence) as path, scratch() as folder:
            poster_path = folder / "poster.jpg"
            command = media.poster(path, poster_path, processing.media_metadata.get("duration"))
            if DerivedFile.Purpose.POSTER not in done:
                _derive(evidence, DerivedFile.Purpose.POSTER, poster_path, "image/jpeg", command)
            if DerivedFile.Purpose.THUMBNAIL not in done:
                thumb_path = folder / "thumbnail.jpg"
                command = media.thumbnail(poster_path, thumb_path)
                _derive(evidence, DerivedFile.Purpose.THUMBNAIL, thumb_path, "image/jpeg", command)
    elif evidence.kind == "photo" and evidence.mime_type in {"image/jpeg", "image/png", "image/webp"} \
            and DerivedFile.Purpose.THUMBNAIL not in done:
        with local_copy(evidence) as path, scratch() as folder:
            thumb_path = folder / "thumbnail.jpg"
            command = media.thumbnail(path, thumb_path)
            _derive(evidence, DerivedFile.Purpose.THUMBNAIL, thumb_path, "image/jpeg", command)


def _playable(processing):
    evidence = processing.evidence
    if not media.needs_playable_copy(evidence.kind, evidence.mime_type, processing.media_metadata):
        return
    if evidence.derived_files.filter(purpose=DerivedFile.Purpose.PLAYBACK).exists():
        return
    with local_copy(evidence) as path, scratch() as folder:
        target = folder / "playable.mp4"
        command = media.playable_copy(path, target, evidence.kind)
        _derive(evidence, DerivedFile.Purpose.PLAYBACK, target, "video/mp4" if evidence.kind == "video"
                else "audio/mp4", command)


# --- files ----------------------------------------------------------------------------------------------------

@contextmanager
def scratch():
    Path(settings.PROCESSING_TEMP_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.PROCESSING_TEMP_DIR) as folder:
        yield Path(folder)


@contextmanager
def local_copy(evidence):
    """The original's bytes in a scratch file (object storage has no path ffmpeg could seek in)."""
    with scratch() as folder:
        path = folder / ("original" + Path(evidence.original_name).suffix[:10])
        with storages["evidence"].open(evidence.file.name, "rb") as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        yield path


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _derive(evidence, purpose, path, mime_type, command, *, tool=None):
    """Store a made file beside the original and record it; a second run finds the record and stops."""
    storage = storages["evidence"]
    key = f"derived/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{purpose}{Path(path).suffix}"
    with open(path, "rb") as handle:
        name = storage.save(key, File(handle, name=Path(path).name))
    derived = DerivedFile(original=evidence, purpose=purpose, mime_type=mime_type, size=Path(path).stat().st_size,
                          sha256=_sha256(path), original_sha256=evidence.sha256, tool=tool or media.ffmpeg_version(),
                          command=command)
    derived.file.name = name
    derived.full_clean(validate_constraints=False)
    with transaction.atomic(), recorded(label=PROCESSOR, reason=f"{purpose} made from evidence {evidence.pk}"):
        if not DerivedFile.objects.filter(original=evidence, purpose=purpose).exists():
            derived.save()
    return derived
