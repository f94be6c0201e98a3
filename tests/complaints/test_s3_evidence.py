"""Evidence on S3 for real: moto's S3 server (started here), django-storages, Object Lock, presigned playback."""

import hashlib
import os
import tracemalloc

import pytest
from botocore.exceptions import ClientError
from django.core.files.storage import storages
from django.core.files.uploadedfile import TemporaryUploadedFile

from complaints import evidence as evidence_files
from complaints.exceptions import PurgeRefused
from complaints.models import EvidenceProcessing
from complaints.processing import process_now
from tests.servers import hevc_mov

pytestmark = pytest.mark.django_db


def upload_of(path, settings):
    """The upload as the streaming handler leaves it: a temporary file with its hash and type."""
    upload = TemporaryUploadedFile(path.name, "", 0, None)
    upload.close = lambda: None
    with open(path, "rb") as source:
        while chunk := source.read(1024 * 1024):
            upload.write(chunk)
    upload.size = path.stat().st_size
    upload.seek(0)
    return evidence_files.inspect(upload)


def test_a_large_upload_goes_to_s3_in_parts_without_being_held_in_memory(bucket, settings, tmp_path):
    video = tmp_path / "long.mp4"
    with open(video, "wb") as out:
        out.write(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
        for _ in range(96):
            out.write(os.urandom(1024 * 1024))
    upload = upload_of(video, settings)

    tracemalloc.start()
    stored = evidence_files.store(upload)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert peak < 48 * 1024**2  # 96 MiB went up; only a few 8 MiB parts were in memory at once
    head = bucket.head_object(Bucket=bucket.name, Key=stored.name)
    assert head["ContentLength"] == video.stat().st_size
    assert head["ETag"].strip('"').endswith("-13")  # a multipart upload of 8 MiB parts (96 MiB and a header)
    downloaded = bucket.get_object(Bucket=bucket.name, Key=stored.name)["Body"].read()
    assert hashlib.sha256(downloaded).hexdigest() == stored.sha256


def test_originals_are_under_legal_hold_and_deleting_one_fails(bucket, attach, settings, tmp_path):
    original = attach(hevc_mov(tmp_path / "IMG_0100.MOV", seconds=1))
    key = original.file.name
    head = bucket.head_object(Bucket=bucket.name, Key=key)
    assert head["ObjectLockLegalHoldStatus"] == "ON"

    with pytest.raises(PurgeRefused):
        storages["evidence"].delete(key)
    # Going around the app with the bucket owner's own key: S3 refuses to delete the locked version.
    with pytest.raises(ClientError) as refused:
        bucket.delete_object(Bucket=bucket.name, Key=key, VersionId=head["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    body = bucket.get_object(Bucket=bucket.name, Key=key, VersionId=head["VersionId"])["Body"].read()
    assert hashlib.sha256(body).hexdigest() == original.sha256


def test_the_pipeline_reads_and_writes_through_s3(bucket, attach, settings, tmp_path):
    settings.EVIDENCE_SCAN = "off"
    original = attach(hevc_mov(tmp_path / "IMG_0101.MOV", seconds=1))
    assert process_now(original.pk) == EvidenceProcessing.State.READY
    copy = original.derived["playback"]
    head = bucket.head_object(Bucket=bucket.name, Key=copy.file.name)
    assert head["ContentLength"] == copy.size and head["ObjectLockLegalHoldStatus"] == "ON"
    body = bucket.get_object(Bucket=bucket.name, Key=copy.file.name)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == copy.sha256
