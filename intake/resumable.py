"""Resumable evidence uploads: the tus 1.0.0 protocol (core + creation), spoken by tus-js-client in the browser.

A phone on a weak network sends a big video in pieces; after a dropped connection or a second press it carries on
from the last byte the server holds instead of starting again. The bytes go to UPLOAD_TEMP_DIR/resumable/<id>.part,
one piece (at most MAX_PIECE bytes in memory) at a time: the size limit is enforced before any byte is read
(Upload-Length, Content-Length), the type is decided from the first bytes as soon as they are in, and the
finished file goes through complaints.evidence.inspect and store, like a file sent with the plain form. The
complaint is filed later by the ordinary form post, naming the finished uploads, so a failed upload never loses
what the filer typed.

An upload knows only its length, its name and the browser session it belongs to (as a keyed hash): never an
address or a browser. Files here are temporary copies, not records; once stored as evidence they are gone from here.
"""

import base64
import binascii
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from complaints import evidence as evidence_files

from . import ratelimit, submissions

TUS_VERSION = "1.0.0"
READ_SIZE = 256 * 1024
# The largest piece one PATCH may carry (the browser sends 2 MiB pieces): held in memory until it is complete.
MAX_PIECE = 8 * 1024 * 1024
ID_LENGTH = 32  # hex characters: 128 random bits


class NotReady(Exception):
    """The named upload is unknown, belongs to another browser, is unfinished or was refused."""


def folder():
    path = Path(settings.FILE_UPLOAD_TEMP_DIR) / "resumable"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _valid_id(upload_id):
    return len(upload_id) == ID_LENGTH and all(c in "0123456789abcdef" for c in upload_id)


def _owner(request, upload_id):
    secret = request.session.get(submissions.SESSION_KEY)
    if not secret:
        secret = request.session[submissions.SESSION_KEY] = secrets.token_hex(32)
    return hmac.new(bytes.fromhex(secret), f"upload:{upload_id}".encode(), hashlib.sha256).hexdigest()


class ResumableFile(UploadedFile):
    """A finished upload, handed to complaints.evidence like any other uploaded file (moved, not copied)."""

    def __init__(self, path, name, size, info):
        super().__init__(open(path, "rb"), name=name, content_type="", size=size)  # noqa: SIM115 - closed by store
        self._path = str(path)
        if info.get("sha256"):
            self.sha256, self.mime_type, self.kind = info["sha256"], info["mime_type"], info["kind"]
            self.refusal = info["refusal"]

    def temporary_file_path(self):
        return self._path


class Upload:
    """One upload's temporary bytes (<id>.part) and what we know about them (<id>.json)."""

    def __init__(self, upload_id):
        self.id = upload_id
        self.part = folder() / f"{upload_id}.part"
        self.meta = folder() / f"{upload_id}.json"

    @classmethod
    def create(cls, request, length, name):
        upload = cls(secrets.token_hex(ID_LENGTH // 2))
        upload.part.touch(exist_ok=False)
        upload.info = {"length": length, "name": name, "owner": _owner(request, upload.id)}
        upload.save()
        return upload

    @classmethod
    def find(cls, request, upload_id):
        """The upload `upload_id` of this browser session, or None."""
        if not _valid_id(upload_id):
            return None
        upload = cls(upload_id)
        try:
            upload.info = json.loads(upload.meta.read_text())
        except (OSError, ValueError):
            return None
        if not hmac.compare_digest(upload.info["owner"], _owner(request, upload_id)):
            return None
        return upload

    def save(self):
        temporary = self.meta.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.info))
        os.replace(temporary, self.meta)

    @property
    def offset(self):
        return self.part.stat().st_size if self.part.exists() else 0

    @property
    def finished(self):
        return "sha256" in self.info

    def check_type(self):
        """Refuse as soon as the first bytes show a type we do not accept (or at the end, for a short file)."""
        with open(self.part, "rb") as handle:
            mime_type = evidence_files.detect_type(handle.read(evidence_files.HEAD_SIZE))
        if evidence_files.kind_of(mime_type) is None:
            self.info["refusal"] = evidence_files.NOT_ALLOWED
            self.save()

    def finish(self):
        """Hash and type the whole file through the same checks as any upload."""
        upload = evidence_files.inspect(ResumableFile(self.part, self.info["name"], self.offset, {}))
        upload.close()
        self.info.update(sha256=upload.sha256, mime_type=upload.mime_type, kind=upload.kind, refusal=upload.refusal)
        self.save()

    def as_file(self):
        return ResumableFile(self.part, self.info["name"], self.offset, self.info)

    def stored(self):
        """The bytes were moved into the evidence storage: forget the upload (a temporary copy, not a record)."""
        with contextlib.suppress(FileNotFoundError):
            self.meta.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.part.unlink()
        with contextlib.suppress(FileNotFoundError):
            (folder() / f"{self.id}.lock").unlink()


def claim(request, upload_id):
    """The finished, accepted upload `upload_id` of this browser session, ready for complaints.evidence.store."""
    upload = Upload.find(request, upload_id)
    if upload is None or not upload.finished or upload.info.get("refusal") or not upload.part.exists():
        raise NotReady(upload_id)
    return upload


def _response(status, **headers):
    response = HttpResponse(status=status)
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = str(value)
    return response


def _options():
    return _response(204, Tus_Version=TUS_VERSION, Tus_Extension="creation",
                     Tus_Max_Size=settings.EVIDENCE_MAX_FILE_SIZE)


def _file_name(metadata):
    """The file name from Upload-Metadata ("filename <base64>,filetype <base64>")."""
    for pair in (metadata or "").split(","):
        key, _, value = pair.strip().partition(" ")
        if key == "filename":
            with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                name = base64.b64decode(value, validate=True).decode().replace("\x00", "")
                return os.path.basename(name)[:255] or "evidence"
    return "evidence"


def upload_limit():
    """New uploads per client address per hour: room for retries of the files a filer may send."""
    return ratelimit.Limit("uploads", 2 * settings.INTAKE_FILES_PER_HOUR, 3600)


@require_http_methods(["OPTIONS", "POST"])
def uploads(request):
    """The tus endpoint: OPTIONS describes it, POST creates an upload of Upload-Length bytes."""
    if request.method == "OPTIONS":
        return _options()
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _response(412, Tus_Version=TUS_VERSION)
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        return _response(400)
    if length > settings.EVIDENCE_MAX_FILE_SIZE:
        return _response(413)
    if length <= 0:
        return _response(400)
    if not upload_limit().take(ratelimit.address_key(request)):
        return _response(429)
    upload = Upload.create(request, length, _file_name(request.headers.get("Upload-Metadata")))
    return _response(201, Location=request.build_absolute_uri(f"{request.path}{upload.id}/"))


@require_http_methods(["OPTIONS", "HEAD", "PATCH"])
def upload(request, upload_id):
    """One upload: HEAD tells how many bytes we hold, PATCH appends bytes from that offset."""
    if request.method == "OPTIONS":
        return _options()
    found = Upload.find(request, upload_id)
    if found is None:
        return _response(404)
    if request.method == "HEAD":
        return _response(200, Upload_Offset=found.offset, Upload_Length=found.info["length"])
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _response(412, Tus_Version=TUS_VERSION)
    if request.content_type != "application/offset+octet-stream":
        return _response(415)
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return _response(400)
    try:
        sending = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _response(400)
    if sending > MAX_PIECE:
        return _response(413)
    with _locked(found) as problem:
        if problem:
            return problem
        if offset != found.offset:
            return _response(409, Upload_Offset=found.offset)
        if offset + sending > found.info["length"]:
            return _response(413, Upload_Offset=found.offset)  # more bytes than the upload's declared length
    # The piece is read without any lock: a request left hanging by a dropped connection must not block the
    # browser's next try. What arrived is appended only if nobody else appended meanwhile.
    piece = bytearray()
    while len(piece) < sending:
        try:
            chunk = request.read(min(READ_SIZE, sending - len(piece)))
        except OSError:  # the connection dropped: keep what arrived, the client resumes from there
            break
        if not chunk:
            break
        piece += chunk
    with _locked(found) as problem:
        if problem:
            return problem
        if offset != found.offset:
            return _response(409, Upload_Offset=found.offset)
        with open(found.part, "ab") as handle:
            handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        held = found.offset
        if offset < evidence_files.HEAD_SIZE <= held:
            found.check_type()
        if not found.info.get("refusal") and held == found.info["length"]:
            found.finish()
        if found.info.get("refusal"):
            return _refused(found)
        return _response(204, Upload_Offset=held)


@contextlib.contextmanager
def _locked(found):
    """Hold the upload's lock (short: never while bytes arrive) with its state re-read; yields a refusal
    response when the upload can take no more bytes, else None."""
    with open(folder() / f"{found.id}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found.info = json.loads(found.meta.read_text())
        if found.info.get("refusal"):
            yield _refused(found)
        elif found.finished:
            yield _response(409, Upload_Offset=found.offset)
        else:
            yield None


def _refused(found):
    status = 413 if found.info["refusal"] == evidence_files.TOO_LARGE else 415
    with contextlib.suppress(FileNotFoundError):
        found.part.unlink()  # nothing of a refused file is kept
    return _response(status)
