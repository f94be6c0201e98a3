"""Crashes leave nothing behind: stale upload temp files are swept; the follow-up code is ready before files."""

import io
import os
import time

import pytest
from django.apps import apps
from django.core.management import call_command

from complaints.services import file_complaint, follow_up_code_matches, new_follow_up_code


@pytest.fixture
def upload_dir(settings, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def leftover(folder, name, age):
    path = folder / name
    path.write_bytes(b"half a video")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_the_sweep_command_removes_only_stale_upload_temp_files(upload_dir, settings):
    settings.UPLOAD_TEMP_MAX_AGE = 3600
    stale = leftover(upload_dir, "tmpab12cd.upload.mp4", age=2 * 3600)
    fresh = leftover(upload_dir, "tmpzz99yy.upload.mp4", age=60)
    other = leftover(upload_dir, "notes.txt", age=10 * 3600)
    out = io.StringIO()
    call_command("sweep_uploads", stdout=out)
    assert "1 stale upload file(s) removed" in out.getvalue()
    assert not stale.exists() and fresh.exists() and other.exists()


def test_the_app_sweeps_stale_uploads_when_it_starts(upload_dir, settings):
    settings.UPLOAD_TEMP_MAX_AGE = 3600
    stale = leftover(upload_dir, "tmp0001.upload", age=2 * 3600)
    apps.get_app_config("complaints").ready()
    assert not stale.exists()


@pytest.mark.django_db
def test_a_follow_up_code_prepared_before_the_files_is_the_one_the_complaint_keeps(roster):
    prepared = new_follow_up_code()
    complaint, shown = file_complaint(narrative="Stopped for no reason.", filer_role="anonymous",
                                      label="public filer", follow_up=prepared)
    assert shown == prepared[0]
    assert follow_up_code_matches(complaint, shown)
