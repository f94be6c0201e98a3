"""Evidence uploads: streamed to a temporary file while hashed, typed from their content, size-limited mid-stream.

`EvidenceUploadHandler` (settings.FILE_UPLOAD_HANDLERS) never keeps more than one chunk plus a small head in
memory, stops writing a file as soon as it passes EVIDENCE_MAX_FILE_SIZE or its first bytes are not an allowed
type, and hands the form a `RefusedUpload` instead, so the view can say why and keep the rest of the form.
Nothing reaches the evidence storage until `store()` is called after the whole form is valid.
"""

import ctypes
import hashlib
import io
import os
import queue
import threading
import uuid
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils import timezone

# Type decided by libmagic from the bytes, never from the name or the browser's claim.
ALLOWED_TYPES = {
    # video: mp4, mov, m4v, 3gp, webm, mkv, avi
    "video/mp4": "video",
    "video/x-m4v": "video",
    "video/quicktime": "video",
    "video/3gpp": "video",
    "video/3gpp2": "video",
    "video/webm": "video",
    "video/x-matroska": "video",
    "video/x-msvideo": "video",
    "video/avi": "video",
    # photo: jpeg, png, heic, webp
    "image/jpeg": "photo",
    "image/png": "photo",
    "image/heic": "photo",
    "image/heif": "photo",
    "image/webp": "photo",
    # audio: m4a, mp3, wav, ogg, aac, amr
    "audio/x-m4a": "audio",
    "audio/mp4": "audio",
    "audio/mpeg": "audio",
    "audio/x-wav": "audio",
    "audio/wav": "audio",
    "audio/vnd.wave": "audio",
    "audio/ogg": "audio",
    "audio/x-hx-aac-adts": "audio",
    "audio/aac": "audio",
    "audio/amr": "audio",
    "audio/x-amr": "audio",
    # document
    "application/pdf": "document",
}

# libmagic decides every allowed type from the first bytes; 64 KiB leaves room for long ID3 and EBML headers.
HEAD_SIZE = 64 * 1024

TOO_LARGE = "too_large"
NOT_ALLOWED = "not_allowed"
EMPTY = "empty"


def kind_of(mime_type):
    """'video', 'photo', 'audio' or 'document' for an allowed type; None for anything else."""
    return ALLOWED_TYPES.get(mime_type)


def detect_type(head):
    return magic.from_buffer(bytes(head), mime=True)


class RefusedUpload(UploadedFile):
    """A file the handler stopped reading: no bytes kept, only the name, the reason and the size seen."""

    def __init__(self, name, refusal, size, mime_type=""):
        super().__init__(io.BytesIO(b""), name=name, content_type="", size=size)
        self.refusal = refusal
        self.mime_type = mime_type


def _find_sync_file_range():
    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (AttributeError, OSError):  # not Linux (or no glibc): the final fsync writes everything
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    return function


_sync_file_range = _find_sync_file_range()
SYNC_FILE_RANGE_WRITE = 2  # start writeback of dirty pages in the range; do not wait for it


class _Spool:
    """Hash and write one upload's chunks on two threads of their own, so parsing, hashing and writing overlap.

    SHA-256 and file writes release the GIL: while the request thread reads and parses the next chunk, one thread
    hashes and another writes (on a fast disk a single thread doing both was what the request waited for). At most
    QUEUED chunks wait in each queue, so memory stays flat. Every WRITEBACK_EVERY bytes the kernel is told to start
    writing them to disk (Linux `sync_file_range`): with 24 GiB of RAM it would otherwise keep a whole 1 GiB upload
    in the page cache until the fsync before acceptance, which then waited for all of it, after the upload.
    """

    QUEUED = 4
    WRITEBACK_EVERY = 8 * 1024 * 1024
    IDLE_SECONDS = 300  # a request that dies without telling the handler leaves no thread behind for long

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()
        self.error = None
        self._queues = (queue.Queue(maxsize=self.QUEUED), queue.Queue(maxsize=self.QUEUED))
        self._threads = (
            threading.Thread(target=self._hash, args=(self._queues[0],), name="evidence-spool-hash", daemon=True),
            threading.Thread(target=self._write, args=(self._queues[1],), name="evidence-spool-write", daemon=True),
        )
        for thread in self._threads:
            thread.start()

    def _chunks(self, chunks):
        while True:
            try:
                chunk = chunks.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                return
            if chunk is None:
                return
            yield chunk

    def _hash(self, chunks):
        update = self.digest.update
        for chunk in self._chunks(chunks):
            update(chunk)

    def _write(self, chunks):
        written = started = 0
        fd = None
        for chunk in self._chunks(chunks):
            if self.error is not None:
                continue
            try:
                if fd is None:
                    self.file.flush()
                    fd = self.file.fileno()
                view = memoryview(chunk)
                while view:  # os.write may write less than asked (a signal, a nearly full disk)
                    view = view[os.write(fd, view):]
                written += len(chunk)
                if _sync_file_range is not None and written - started >= self.WRITEBACK_EVERY:
                    _sync_file_range(fd, started, written - started, SYNC_FILE_RANGE_WRITE)
                    started = written
            except OSError as error:  # e.g. disk full: raised to the request in finish()
                self.error = error

    def write(self, chunk):
        for chunks in self._queues:
            chunks.put(chunk)

    def finish(self):
        """Wait for every chunk to be hashed and written; the hex digest. Raises the writer's OSError, if any."""
        self.stop()
        if self.error is not None:
            raise self.error
        return self.digest.hexdigest()

    def stop(self):
        for chunks, thread in zip(self._queues, self._threads, strict=True):
            if thread.is_alive():
                chunks.put(None)
                thread.join()


class EvidenceUploadHandler(FileUploadHandler):
    """Write each file to a temporary file while hashing it with SHA-256; refuse over-size or disallowed files."""

    # Django's parser reads the body in chunks of the smallest handler chunk_size (64 KiB by default). 1 MiB
    # chunks cut its per-chunk work and, under gunicorn, its re-buffering of the input (bench/RESULTS.md).
    chunk_size = 1024 * 1024

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.input_data, self.content_length = input_data, content_length

    def upload_complete(self):
        # Django's multipart parser treats a body that stops early (the phone lost its connection) as complete,
        # dropping the unfinished file; the view must refuse the whole submission instead.
        stream = getattr(self, "input_data", None)
        stream = getattr(stream, "_stream", stream)  # the request wraps a LimitedStream
        position, limit = getattr(stream, "_pos", None), getattr(stream, "limit", None)
        if position is not None and limit is not None and position < limit:
            mark_interrupted(self.request)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if settings.FILE_UPLOAD_TEMP_DIR:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        self.file = TemporaryUploadedFile(self.file_name, self.content_type, 0, self.charset, self.content_type_extra)
        self.spool = _Spool(self.file)
        self.head = bytearray()
        self.received = 0
        self.mime_type = ""
        self.refusal = None

    def _refuse(self, refusal):
        self.refusal = refusal
        self.spool.stop()
        self.file.close()  # the temporary file is removed on close
        self.head = bytearray()

    def _check_type(self):
        self.mime_type = detect_type(self.head)
        if kind_of(self.mime_type) is None:
            self._refuse(NOT_ALLOWED)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refusal:
            return None  # keep reading the request so the rest of the form arrives, but keep nothing
        if self.received > settings.EVIDENCE_MAX_FILE_SIZE:
            self._refuse(TOO_LARGE)
            return None
        if len(self.head) < HEAD_SIZE:
            self.head += raw_data[: HEAD_SIZE - len(self.head)]
            if len(self.head) >= HEAD_SIZE:
                self._check_type()
                if self.refusal:
                    return None
        self.spool.write(raw_data)
        return None

    def file_complete(self, file_size):
        if not self.refusal and self.received == 0:
            self._refuse(EMPTY)
        if not self.refusal and not self.mime_type:
            self._check_type()
        if self.refusal:
            return RefusedUpload(self.file_name, self.refusal, self.received, self.mime_type)
        sha256 = self.spool.finish()
        # The receipt promises we hold the file: make the bytes durable before the complaint can be filed.
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = sha256
        self.file.mime_type = self.mime_type
        self.file.kind = kind_of(self.mime_type)
        self.file.refusal = None
        return self.file

    def upload_interrupted(self):
        if hasattr(self, "spool"):
            self.spool.stop()
        if hasattr(self, "file"):
            self.file.close()
        mark_interrupted(self.request)


def mark_interrupted(request):
    if request is not None:
        request.evidence_upload_interrupted = True


def upload_was_interrupted(request):
    """True when the request body stopped before its end: its files and fields may be incomplete."""
    return getattr(request, "evidence_upload_interrupted", False)


def inspect(upload):
    """Make sure `upload` carries sha256, mime_type, kind and refusal, computing them if another handler read it."""
    if hasattr(upload, "refusal"):
        return upload
    digest, head, size = hashlib.sha256(), bytearray(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
    upload.seek(0)
    upload.sha256 = digest.hexdigest()
    upload.mime_type = detect_type(head) if size else ""
    upload.kind = kind_of(upload.mime_type)
    if size == 0:
        upload.refusal = EMPTY
    elif size > settings.EVIDENCE_MAX_FILE_SIZE:
        upload.refusal = TOO_LARGE
    elif upload.kind is None:
        upload.refusal = NOT_ALLOWED
    else:
        upload.refusal = None
    return upload


@dataclass(frozen=True)
class StoredFile:
    """An accepted upload, now in the evidence storage under a key that is never reused."""

    name: str
    original_name: str
    size: int
    sha256: str
    mime_type: str
    kind: str


def store(upload):
    """Save an accepted upload to the `evidence` storage (a rename for local storage) and describe it.

    Called outside any database transaction: the bytes may take a while to move to object storage.
    """
    upload = inspect(upload)
    if upload.refusal:
        raise ValueError(f"refused upload {upload.name!r} cannot be stored ({upload.refusal})")
    storage = storages["evidence"]
    original_name = (upload.name or "evidence")[:255]
    key = f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{storage.get_valid_name(original_name)[-100:]}"
    name = storage.save(key, upload)
    upload.close()  # the temporary file was moved (or copied); closing it never deletes stored bytes
    return StoredFile(
        name=name, original_name=original_name, size=upload.size, sha256=upload.sha256,
        mime_type=upload.mime_type, kind=upload.kind,
    )
