"""Leftovers of uploads that never finished (a crash, a dropped connection): swept from the temp folder.

Only Django's own temporary upload files (`tmp*.upload*`) older than UPLOAD_TEMP_MAX_AGE are removed: they were
never accepted as evidence, so no record points at them. Files already in the evidence storage are never touched
here; verify_history --files reports any stored file without a row.
"""

import time
from pathlib import Path

from django.conf import settings

PATTERN = "tmp*.upload*"


def sweep_stale_uploads(max_age=None, now=None):
    """Remove stale temporary upload files; return the names removed."""
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR or "")
    if not settings.FILE_UPLOAD_TEMP_DIR or not folder.is_dir():
        return []
    max_age = settings.UPLOAD_TEMP_MAX_AGE if max_age is None else max_age
    cutoff = (now or time.time()) - max_age
    removed = []
    for path in sorted(folder.glob(PATTERN)):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:
            continue  # another process swept it first
    return removed
