"""Copies without location, device and author data, made by the pipeline for sealed originals (issue 15, item 6).

Real files: a JPEG tagged by exiftool as a phone tags it, videos and recordings tagged by ffmpeg; every copy is read
back with exiftool and ffprobe.
"""

import hashlib
import json
import subprocess

import pytest
from django.core.files import File
from django.core.files.storage import storages

from complaints import evidence as evidence_files
from complaints.models import DerivedFile, EvidenceProcessing
from complaints.processing import process_now
from complaints.services import attach_evidence
from tests.servers import hevc_mov

pytestmark = pytest.mark.django_db
IDENTIFYING = ("gps", "serial", "make", "model", "artist", "creator", "owner", "author", "location", "iphone",
               "jane", "apple")


def gps_jpeg(path):
    """A photo as a phone writes it: GPS position, make, model, serial number, artist, owner and XMP creator."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1",
                    str(path)], check=True)
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N",
                    "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", "-Make=Apple", "-Model=iPhone 15",
                    "-SerialNumber=F2LXK1ABC", "-Artist=Jane Doe", "-OwnerName=Jane Doe", "-XMP:Creator=Jane Doe",
                    "-Orientation#=6", str(path)], check=True)
    return path


def exif(path):
    """Every tag exiftool reads, as {group:name: value} (lower-cased text, for searching)."""
    [tags] = json.loads(subprocess.run(["exiftool", "-j", "-a", "-G1", str(path)], capture_output=True, text=True,
                                       check=True).stdout)
    return {k.lower(): str(v).lower() for k, v in tags.items() if not k.startswith(("SourceFile", "System:"))}


def identifying(tags):
    return sorted(f"{k}={v}" for k, v in tags.items() if any(word in f"{k}={v}" for word in IDENTIFYING)
                  and not k.startswith(("file:", "composite:image", "quicktime:handler", "quicktime:majorbrand",
                                        "quicktime:compatiblebrands")))


def read_back(derived, tmp_path):
    local = tmp_path / f"copy-{derived.pk}.{derived.file.name.rsplit('.', 1)[-1]}"
    local.write_bytes(storages["evidence"].open(derived.file.name).read())
    return local


@pytest.fixture
def attach_sealed(complaint_with_everything, scratch_dir, settings):
    """Store a real file and attach it as a filer who asked for location, device and author data to be removed."""
    settings.EVIDENCE_SCAN = "off"

    def attach_file(path, remove_metadata=True):
        with open(path, "rb") as handle:
            stored = evidence_files.store(File(handle, name=path.name))
        [item] = attach_evidence(complaint_with_everything, [stored], label="test", public=True,
                                 remove_metadata=remove_metadata)
        return item

    return attach_file


def test_photo_copy_has_no_gps_serial_make_model_or_author_and_names_the_original(attach_sealed, tmp_path):
    photo = gps_jpeg(tmp_path / "IMG_2041.JPG")
    assert identifying(exif(photo))  # the tags are really there to begin with
    original = attach_sealed(photo)
    assert original.original_sealed

    assert process_now(original.pk) == EvidenceProcessing.State.READY

    copy = original.derived_files.get(purpose=DerivedFile.Purpose.STRIPPED)
    local = read_back(copy, tmp_path)
    tags = exif(local)
    assert identifying(tags) == []
    assert tags["ifd0:orientation"] == "rotate 90 cw"  # the picture still stands the right way up
    assert copy.mime_type == "image/jpeg" and copy.tool.startswith("exiftool ")
    assert copy.sha256 == hashlib.sha256(local.read_bytes()).hexdigest() != original.sha256
    assert copy.original_sha256 == original.sha256
    # The original is kept byte for byte.
    assert storages["evidence"].open(original.file.name).read() == photo.read_bytes()


@pytest.mark.parametrize("name,args,kind", [
    ("clip.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"], "video"),
    ("clip.mkv", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"], "video"),
    ("voice.mp3", ["-vn", "-c:a", "libmp3lame"], "audio"),
    ("voice.m4a", ["-vn", "-c:a", "aac"], "audio"),
    ("voice.ogg", ["-vn", "-c:a", "libvorbis"], "audio"),
])
def test_video_and_recordings_lose_location_device_and_author(attach_sealed, tmp_path, name, args, kind):
    path = tmp_path / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=176x144:rate=10:duration=1",
                    "-f", "lavfi", "-i", "sine=duration=1", *args, "-shortest",
                    "-metadata", "location=+48.8584+002.2945/", "-metadata", "artist=Jane Doe",
                    "-metadata", "make=Apple", "-metadata", "model=iPhone 15",
                    "-metadata:s:a:0", "title=Jane Doe's phone", str(path)], check=True)
    original = attach_sealed(path)
    assert original.kind == kind

    assert process_now(original.pk) == EvidenceProcessing.State.READY

    copy = original.derived_files.get(purpose=DerivedFile.Purpose.STRIPPED)
    local = read_back(copy, tmp_path)
    probed = json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                                        "-show_streams", str(local)], capture_output=True, text=True,
                                       check=True).stdout)
    tags = json.dumps([probed["format"].get("tags", {})] + [s.get("tags", {}) for s in probed["streams"]]).lower()
    assert "48.8584" not in tags and "jane" not in tags and "iphone" not in tags and "apple" not in tags
    assert identifying(exif(local)) == []
    assert {s["codec_type"] for s in probed["streams"]} == ({"video", "audio"} if kind == "video" else {"audio"})
    assert copy.original_sha256 == original.sha256
    assert copy.sha256 == hashlib.sha256(local.read_bytes()).hexdigest()


def test_iphone_mov_loses_apple_location_and_device_atoms_and_the_probe_keeps_none(attach_sealed, tmp_path):
    original = attach_sealed(hevc_mov(tmp_path / "IMG_0001.MOV", seconds=1))

    assert process_now(original.pk) == EvidenceProcessing.State.READY

    copy = original.derived_files.get(purpose=DerivedFile.Purpose.STRIPPED)
    assert copy.mime_type == "video/quicktime"
    tags = exif(read_back(copy, tmp_path))
    assert identifying(tags) == []
    assert not any("40.7128" in value for value in tags.values())
    # What staff see of the probe: no device, no position (the sealed original keeps both).
    metadata = EvidenceProcessing.objects.get(evidence=original).media_metadata
    assert "gps" not in metadata and "device" not in metadata and metadata["video_codec"] == "hevc"


def test_an_original_not_sealed_gets_no_stripped_copy(attach_sealed, tmp_path):
    original = attach_sealed(gps_jpeg(tmp_path / "photo.jpg"), remove_metadata=False)
    assert not original.original_sealed  # a named filer who unticked the box
    process_now(original.pk)
    assert not original.derived_files.filter(purpose=DerivedFile.Purpose.STRIPPED).exists()


def test_making_the_copy_again_makes_nothing_new(attach_sealed, tmp_path):
    from complaints.processing import run_step

    original = attach_sealed(gps_jpeg(tmp_path / "photo.jpg"))
    process_now(original.pk)
    run_step(original.pk, "strip")
    assert original.derived_files.filter(purpose=DerivedFile.Purpose.STRIPPED).count() == 1
