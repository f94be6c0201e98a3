"""complaints.evidence: the upload handler streams, hashes, types by content and refuses while streaming."""

import hashlib
import os

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import RequestFactory

from complaints import evidence

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def parsed_files(content, name, settings, tmp_path):
    """request.FILES of a real multipart request carrying `content` as a file called `name`."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    upload = tmp_path / name
    upload.write_bytes(content)
    with open(upload, "rb") as handle:
        request = RequestFactory().post("/", {"evidence": handle, "note": "kept"})
    files = request.FILES.getlist("evidence")
    assert request.POST["note"] == "kept"
    return files


def test_accepted_file_is_a_temporary_file_with_its_sha256_and_type(settings, tmp_path):
    content = PNG + os.urandom(300_000)  # several chunks
    [upload] = parsed_files(content, "photo.png", settings, tmp_path)
    assert isinstance(upload, TemporaryUploadedFile)
    assert upload.temporary_file_path().startswith(str(tmp_path / "uploads"))
    assert upload.sha256 == hashlib.sha256(content).hexdigest()
    assert (upload.mime_type, upload.kind, upload.refusal, upload.size) == ("image/png", "photo", None, len(content))
    assert upload.read() == content


def test_type_comes_from_content_not_name(settings, tmp_path):
    [upload] = parsed_files(b"<html><body>hello</body></html>", "movie.mp4", settings, tmp_path)
    assert upload.refusal == evidence.NOT_ALLOWED
    assert upload.mime_type == "text/html"
    assert upload.read() == b""
    assert list((tmp_path / "uploads").iterdir()) == []


def test_a_renamed_photo_is_still_a_photo(settings, tmp_path):
    [upload] = parsed_files(PNG, "document.pdf", settings, tmp_path)
    assert (upload.refusal, upload.kind) == (None, "photo")


def test_over_size_file_is_dropped_while_streaming(settings, tmp_path):
    settings.EVIDENCE_MAX_FILE_SIZE = 100_000
    [upload] = parsed_files(PNG + b"\0" * 500_000, "big.png", settings, tmp_path)
    assert upload.refusal == evidence.TOO_LARGE
    assert upload.size == len(PNG) + 500_000  # the rest of the request was read (and dropped) ...
    assert upload.read() == b""  # ... but nothing of the file was kept
    assert list((tmp_path / "uploads").iterdir()) == []


def test_empty_file_is_refused(settings, tmp_path):
    [upload] = parsed_files(b"", "nothing.jpg", settings, tmp_path)
    assert upload.refusal == evidence.EMPTY


@pytest.mark.parametrize("mime, kind", [("video/quicktime", "video"), ("audio/amr", "audio"),
                                        ("application/pdf", "document"), ("image/svg+xml", None),
                                        ("application/zip", None), ("text/x-shellscript", None)])
def test_allowed_types(mime, kind):
    assert evidence.kind_of(mime) == kind


def test_store_refuses_a_refused_upload(settings, tmp_path):
    [upload] = parsed_files(b"#!/bin/sh\necho hi\n", "run.sh", settings, tmp_path)
    with pytest.raises(ValueError):
        evidence.store(upload)


def test_store_moves_the_bytes_into_evidence_storage(settings, tmp_path, evidence_in_tmp):
    [upload] = parsed_files(PNG, "photo.png", settings, tmp_path)
    stored = evidence.store(upload)
    assert (evidence_in_tmp / stored.name).read_bytes() == PNG
    assert stored.sha256 == hashlib.sha256(PNG).hexdigest()
    assert stored.original_name == "photo.png"
    assert list((tmp_path / "uploads").iterdir()) == []


def spool_threads():
    import threading

    return [thread for thread in threading.enumerate() if thread.name.startswith("evidence-spool")]


def test_large_file_is_hashed_and_written_whole_across_many_chunks(settings, tmp_path):
    content = PNG + os.urandom(40 * 1024 * 1024)  # 40 MiB: many 1 MiB chunks
    [upload] = parsed_files(content, "photo.png", settings, tmp_path)
    assert upload.sha256 == hashlib.sha256(content).hexdigest()
    assert upload.size == len(content)
    assert hashlib.sha256(upload.read()).hexdigest() == upload.sha256
    assert spool_threads() == []  # the hashing and writing threads finished with the file


def test_file_refused_after_several_chunks_keeps_nothing_and_leaves_no_writer_behind(settings, tmp_path):
    settings.EVIDENCE_MAX_FILE_SIZE = 3 * 1024 * 1024
    [upload] = parsed_files(PNG + os.urandom(8 * 1024 * 1024), "big.png", settings, tmp_path)
    assert upload.refusal == evidence.TOO_LARGE
    assert list((tmp_path / "uploads").iterdir()) == []
    assert spool_threads() == []
