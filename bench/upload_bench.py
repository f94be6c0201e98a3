#!/usr/bin/env python3
"""Upload benchmark: one large video through the real filing form, next to a plain copy of the same bytes.

Starts `manage.py runserver --noreload` on a throwaway SQLite database and var folder (bench/out/, ignored by
git), uploads the file with curl (which streams it from disk as multipart/form-data), and reports throughput
and the server's peak resident memory (VmHWM). Then copies the same file with `cp` (+ sync) on the same disk.

Usage: .venv/bin/python bench/upload_bench.py [--size-mib 1024] [--no-write]
Writes its section of bench/RESULTS.md unless --no-write.
"""

import argparse
import hashlib
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "upload"
RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- upload-bench:start -->", "<!-- upload-bench:end -->"
CHUNK = 8 * 1024 * 1024


def proc_status(pid, field):
    """A memory figure (KiB) from /proc/<pid>/status, e.g. VmHWM (peak RSS) or VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_video(path, size):
    """A real (ffmpeg) MP4 followed by random bytes up to `size`: libmagic sees a video, nothing compresses."""
    head = OUT / "head.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", str(head)], check=True)
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        data = head.read_bytes()
        out.write(data)
        digest.update(data)
        written = len(data)
        while written < size:
            block = os.urandom(min(CHUNK, size - written))
            out.write(block)
            digest.update(block)
            written += len(block)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    var = OUT / "var"
    var.mkdir()
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
           "EVIDENCE_STORAGE": "local", "LOG_LEVEL": "ERROR"}
    env.pop("DJANGO_ALLOWED_HOSTS", None)
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    source = OUT / "video.mp4"
    print(f"writing {args.size_mib} MiB test video ...", flush=True)
    expected_sha = make_video(source, size)

    load = os.getloadavg()
    port = free_port()
    server = subprocess.Popen([python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        jar = OUT / "cookies.txt"
        for _ in range(100):
            try:
                page = subprocess.run(["curl", "-sf", "-c", str(jar), f"{base}/en/file/"], capture_output=True,
                                      check=True).stdout.decode()
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        else:
            raise SystemExit("server did not start")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        rss_before = proc_status(server.pid, "VmRSS")
        hwm_before = proc_status(server.pid, "VmHWM")

        started = time.monotonic()
        response = subprocess.run(
            ["curl", "-sS", "-b", str(jar), "-F", f"csrfmiddlewaretoken={token}", "-F", "filer_role=anonymous",
             "-F", "narrative=Benchmark upload", "-F", f"evidence=@{source};type=video/mp4", f"{base}/en/file/"],
            capture_output=True, check=True,
        ).stdout.decode()
        upload_seconds = time.monotonic() - started
        hwm_after = proc_status(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=30)

    reference = re.search(r'id="reference">([^<]+)<', response)
    assert reference, "the upload did not produce a receipt:\n" + response[:3000]
    assert expected_sha in response, "the receipt does not show the file's SHA-256"
    stored = [p for p in (var / "evidence").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].stat().st_size == size, stored
    leftovers = [p for p in (var / "uploads").rglob("*") if p.is_file()]
    assert not leftovers, leftovers

    copy = OUT / "copy.mp4"
    subprocess.run(["sync"], check=True)
    started = time.monotonic()
    subprocess.run(["cp", str(source), str(OUT / "copy-nosync.mp4")], check=True)
    cp_nosync_seconds = time.monotonic() - started
    subprocess.run(["sync"], check=True)
    started = time.monotonic()
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", "cp", str(source), str(copy)], capture_output=True,
                           check=True)
    subprocess.run(["sync"], check=True)
    cp_seconds = time.monotonic() - started
    cp_peak_kib = int(timed.stderr.decode().strip().splitlines()[-1])

    mib = size / 1024 / 1024
    rows = [
        ("upload through the filing form (curl -F → runserver)", upload_seconds, f"{hwm_after / 1024:.0f} MiB"),
        ("plain `cp` + `sync` of the same file, same disk", cp_seconds, f"{cp_peak_kib / 1024:.1f} MiB (cp)"),
        ("plain `cp` without `sync` (page cache only, not durable)", cp_nosync_seconds, "–"),
    ]
    lines = [
        START,
        "## Evidence upload (intake, issue 3)",
        "",
        f"`bench/upload_bench.py`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1024**3:.0f} GiB RAM, "
        f"Python {platform.python_version()}, SQLite, local evidence storage; load average at the start "
        f"{load[0]:.1f} (other work on the machine shares its 2 cores and disk).",
        f"One {mib:.0f} MiB file (a real ffmpeg MP4 followed by random bytes) uploaded through `/en/file/` by "
        "`curl -F` to `manage.py runserver --noreload` on 127.0.0.1; the server hashes it (SHA-256) and checks its "
        "type (libmagic) while streaming it to `var/uploads`, then renames it into the evidence folder and files "
        "the complaint. The handler fsyncs each file before accepting it, so the fair comparison is `cp` + `sync`. "
        "The receipt's SHA-256 matched the source file.",
        "",
        "| what | time | throughput | peak memory |",
        "|---|---|---|---|",
    ]
    for label, seconds, memory in rows:
        lines.append(f"| {label} | {seconds:.1f} s | {mib / seconds:.0f} MiB/s | {memory} |")
    growth_mib = (hwm_after - hwm_before) / 1024
    verdict = ("memory did not grow with the file size" if growth_mib < 0.05 * mib
               else "memory GREW with the file size: investigate")
    lines += [
        "",
        f"Server memory: {rss_before / 1024:.0f} MiB resident before the upload (peak so far "
        f"{hwm_before / 1024:.0f} MiB); peak during the upload {hwm_after / 1024:.0f} MiB "
        f"(growth {growth_mib:.0f} MiB for a {mib:.0f} MiB file): {verdict}.",
        "",
        "Not profiled: in the upload, one request thread of the development server does all the work (Django's "
        "multipart parsing in 64 KiB chunks, SHA-256, the write and the fsync) while curl builds the request on the "
        "same 2 cores. Figures move with the machine's load; run it again on an idle machine before comparing.",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        text = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
        if START in text and END in text:
            text = text[: text.index(START)] + section + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        RESULTS.write_text(text)
    shutil.rmtree(OUT, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
