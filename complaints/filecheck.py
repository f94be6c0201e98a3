"""Checking evidence files against their rows: every file exists and re-hashes to its SHA-256; no file lacks a row.

Used by `verify_history --files`. Reading every byte may take hours on a large store, so the check reports
progress, keeps a checkpoint it can resume from, and can check a random sample instead. It never deletes.
"""

import hashlib
import json
import random
import time
from pathlib import Path

from django.core.files.storage import storages

CHUNK = 1024 * 1024


class FileCheck:
    """One run over the evidence files; `progress` is called with a line of text now and then."""

    def __init__(self, *, checkpoint=None, resume=False, sample=None, progress=None, every=5.0):
        self.checkpoint = Path(checkpoint) if checkpoint else None
        self.resume = resume
        self.sample = sample
        self.progress = progress or (lambda line: None)
        self.every = every

    def run(self, report, using):
        from .models import Evidence

        storage = storages["evidence"]
        rows = Evidence._base_manager.using(using).order_by("pk").values_list("pk", "file", "size", "sha256")
        state = {"last_pk": 0, "findings": []}
        if self.resume and self.checkpoint and self.checkpoint.exists():
            state = json.loads(self.checkpoint.read_text())
            for code, detail in state["findings"]:
                report.add(code, detail)
            rows = rows.filter(pk__gt=state["last_pk"])
        rows = list(rows)
        if self.sample is not None:
            rows = sorted(random.sample(rows, min(self.sample, len(rows))))
        total, done, bytes_read, last_report = len(rows), 0, 0, time.monotonic()
        for pk, name, size, sha256 in rows:
            finding = self._check(storage, pk, name, size, sha256)
            bytes_read += size or 0
            if finding:
                report.add(*finding)
                state["findings"].append(list(finding))
            done += 1
            report.files_checked += 1
            state["last_pk"] = pk
            if time.monotonic() - last_report >= self.every:
                last_report = time.monotonic()
                self._save(state)
                self.progress(f"files: {done}/{total} checked ({bytes_read / 1024**2:.0f} MiB)")
        state["complete"] = self.sample is None
        self._save(state)
        self.progress(f"files: {done}/{total} checked ({bytes_read / 1024**2:.0f} MiB)")
        if self.sample is None:
            if not state.get("derived_done"):
                self._derived(report, storage, using, state)
                state["derived_done"] = True
                self._save(state)
            self._unreferenced(report, storage, using)

    def _derived(self, report, storage, using, state):
        """The copies made from evidence (posters, playable videos) re-hash to their recorded SHA-256 too."""
        from .models import DerivedFile

        for pk, name, size, sha256 in DerivedFile._base_manager.using(using).order_by("pk").values_list(
                "pk", "file", "size", "sha256"):
            finding = self._check(storage, pk, name, size, sha256, kind="derived file")
            report.files_checked += 1
            if finding:
                report.add(*finding)
                state["findings"].append(list(finding))

    def _save(self, state):
        if self.checkpoint:
            self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
            self.checkpoint.write_text(json.dumps(state))

    @staticmethod
    def _check(storage, pk, name, size, sha256, kind="evidence"):
        where = f"{kind} id={pk} ({name})"
        if not name or not storage.exists(name):
            return ("file-missing", f"{where}: the file is not in the evidence storage")
        digest, length = hashlib.sha256(), 0
        with storage.open(name, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                length += len(chunk)
        if length != size or digest.hexdigest() != sha256:
            return ("file-altered", f"{where}: the bytes no longer match the SHA-256 recorded at upload")
        return None

    @staticmethod
    def _unreferenced(report, storage, using):
        """Report every stored file no evidence or derived-file row (current or past) names; never touch it."""
        from .models import DerivedFile, Evidence

        known = set(Evidence.history.model._base_manager.using(using).values_list("file", flat=True))
        known |= set(Evidence._base_manager.using(using).values_list("file", flat=True))
        known |= set(DerivedFile.history.model._base_manager.using(using).values_list("file", flat=True))
        known |= set(DerivedFile._base_manager.using(using).values_list("file", flat=True))
        for name in _walk(storage, ""):
            if name not in known:
                report.add("file-unreferenced", f"{name}: a stored file without an evidence row (left by a crash?)")


def _walk(storage, folder):
    directories, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(directories):
        yield from _walk(storage, f"{folder}/{name}" if folder else name)
