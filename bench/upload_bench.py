#!/usr/bin/env python3
"""Upload benchmark: one large video through the real filing form, interleaved with plain copies of the same bytes.

Starts the app (gunicorn when it is installed in .venv, else `manage.py runserver --noreload`) on a throwaway
SQLite database and var folder (bench/out/, ignored by git). Each round uploads the file with curl (which streams
it from disk as multipart/form-data), then copies it with `cp`, then with `cp` + `sync`; rounds repeat so the
three share the machine's state. Reports min and median of each, the upload's throughput as a ratio of each copy,
and the server worker's memory growth (VmHWM).

Usage: .venv/bin/python bench/upload_bench.py [--size-mib 1024] [--rounds 5] [--server gunicorn|runserver]
           [--baseline DIR] [--no-write]

--baseline DIR starts a second server from another checkout (e.g. `git archive main | tar -x -C DIR`) and uploads
to both in every round, alternating which goes first, so the two are compared under the same load.
Writes its section of bench/RESULTS.md unless --no-write.
"""

import argparse
import hashlib
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "upload"
RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- upload-bench:start -->", "<!-- upload-bench:end -->"
CHUNK = 8 * 1024 * 1024
VENV_BIN = ROOT / ".venv" / "bin"


def proc_status(pid, field):
    """A memory figure (KiB) from /proc/<pid>/status, e.g. VmHWM (peak RSS) or VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def cpu_seconds(pid):
    """User + system CPU time of a process, all its threads included (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def start_server(kind, port, env, app_dir):
    if kind == "gunicorn":
        # The production settings (config/gunicorn.conf.py: gthread workers) with one worker process: one upload
        # at a time, as the comparison with one `cp` needs.
        command = [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.conf.py"]
        env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    else:
        command = [str(VENV_BIN / "python"), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    return subprocess.Popen(command, cwd=app_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def worker_pid(server, kind):
    """The process that handles requests: gunicorn's worker (a child of the master), or runserver itself."""
    if kind != "gunicorn":
        return server.pid
    for _ in range(100):
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("gunicorn worker did not start")


def timed(command):
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    return time.monotonic() - started


class App:
    """One server of the code in `app_dir`, with its own database, var folder and cookie jar."""

    def __init__(self, label, app_dir, kind):
        self.label, self.app_dir, self.kind = label, app_dir, kind
        self.var = OUT / f"var-{label}"
        self.var.mkdir()
        self.env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(self.var),
                    "DATABASE_URL": f"sqlite:///{self.var / 'db.sqlite3'}", "EVIDENCE_STORAGE": "local",
                    "LOG_LEVEL": "ERROR", "INTAKE_COMPLAINTS_PER_HOUR": "100000", "INTAKE_FILES_PER_HOUR": "100000"}
        self.env.pop("DJANGO_ALLOWED_HOSTS", None)
        subprocess.run([str(VENV_BIN / "python"), "manage.py", "migrate", "-v", "0"], cwd=app_dir, env=self.env,
                       check=True)
        self.jar = OUT / f"cookies-{label}.txt"
        self.uploads, self.references = [], set()
        self.server_cpu, self.client_cpu = [], []

    def start(self):
        port = free_port()
        self.server = start_server(self.kind, port, self.env, self.app_dir)
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                subprocess.run(["curl", "-sf", "-c", str(self.jar), f"{self.base}/en/file/"], capture_output=True,
                               check=True)
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"{self.label} server did not start")
        self.pid = worker_pid(self.server, self.kind)
        self.rss_before = proc_status(self.pid, "VmRSS")

    def upload(self, source, size, expected_sha, round_number):
        page = subprocess.run(["curl", "-sf", "-b", str(self.jar), "-c", str(self.jar), f"{self.base}/en/file/"],
                              capture_output=True, check=True).stdout.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        submission = re.search(r'name="submission" value="([^"]+)"', page)
        fields = ["-F", f"submission={submission.group(1)}"] if submission else []
        subprocess.run(["sync"], check=True)
        server_cpu, client_cpu = cpu_seconds(self.pid), children_cpu_seconds()
        started = time.monotonic()
        response = subprocess.run(
            ["curl", "-sS", "-b", str(self.jar), "-F", f"csrfmiddlewaretoken={token}", "-F", "filer_role=anonymous",
             # A new account each round: the same session sending the same account again within 15 minutes
             # counts as the same press (intake/submissions.py) and gets the first receipt back, storing nothing.
             "-F", f"narrative=Benchmark upload, round {round_number}", *fields,
             "-F", f"evidence=@{source};type=video/mp4", f"{self.base}/en/file/"],
            capture_output=True, check=True,
        ).stdout.decode()
        self.uploads.append(time.monotonic() - started)
        self.server_cpu.append(cpu_seconds(self.pid) - server_cpu)
        self.client_cpu.append(children_cpu_seconds() - client_cpu)
        reference = re.search(r'id="reference">([^<]+)<', response)
        assert reference, "no receipt:\n" + response[:3000]
        assert reference.group(1) not in self.references, f"round {round_number} got an earlier receipt back"
        self.references.add(reference.group(1))
        assert expected_sha in response, "the receipt does not show the file's SHA-256"
        stored = [p for p in (self.var / "evidence").rglob("*") if p.is_file()]
        assert len(stored) == 1 and stored[0].stat().st_size == size, stored
        stored[0].unlink()  # this benchmark's own throwaway copy (keeps the disk from filling)

    def stop(self):
        if getattr(self, "server", None) is None:
            return
        try:
            self.hwm_after = proc_status(self.pid, "VmHWM")
        finally:
            self.server.terminate()
            self.server.wait(timeout=30)
        leftovers = [p for p in (self.var / "uploads").rglob("*") if p.is_file()]
        assert not leftovers, leftovers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server", choices=["gunicorn", "runserver"],
                        default="gunicorn" if (VENV_BIN / "gunicorn").exists() else "runserver")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also upload, interleaved, to a server of the code in DIR (e.g. `git archive` of main)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    apps = [App("this branch", ROOT, args.server)]
    if args.baseline:
        apps.append(App("baseline", args.baseline.resolve(), args.server))

    source = OUT / "video.mp4"
    print(f"writing {args.size_mib} MiB test video ...", flush=True)
    expected_sha = make_video(source, size)

    loads = [os.getloadavg()[0]]
    copies, synced = [], []
    try:
        for app in apps:
            app.start()
        for round_number in range(1, args.rounds + 1):
            order = apps if round_number % 2 else apps[::-1]
            for app in order:
                app.upload(source, size, expected_sha, round_number)
            subprocess.run(["sync"], check=True)
            copies.append(timed(["cp", str(source), str(OUT / "copy.mp4")]))
            subprocess.run(["sync"], check=True)
            synced.append(timed(["sh", "-c", f"cp '{source}' '{OUT / 'copy-synced.mp4'}' && sync"]))
            loads.append(os.getloadavg()[0])
            uploaded = ", ".join(f"upload ({app.label}) {app.uploads[-1]:.1f} s" for app in order)
            print(f"round {round_number}: {uploaded}"
                  f", cp {copies[-1]:.1f} s, cp+sync {synced[-1]:.1f} s, load {loads[-1]:.1f}", flush=True)
    finally:
        for app in apps:
            app.stop()

    mib = size / 1024 / 1024

    def row(label, times):
        return (f"| {label} | {min(times):.1f} s | {statistics.median(times):.1f} s "
                f"| {mib / statistics.median(times):.0f} MiB/s |")

    lines = [
        START,
        "## Evidence upload (issue 13)",
        "",
        f"`.venv/bin/python bench/upload_bench.py --server {args.server} --size-mib {args.size_mib} --rounds "
        f"{args.rounds}{' --baseline DIR' if args.baseline else ''}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite, local evidence storage; load average {min(loads):.1f}–"
        f"{max(loads):.1f} during the run (other work shares the machine's 2 cores and disk).",
        f"One {mib:.0f} MiB file (a real ffmpeg MP4 followed by random bytes) uploaded through `/en/file/` by "
        f"`curl -F` to **{args.server}** on 127.0.0.1 (gunicorn with config/gunicorn.conf.py, one worker process); "
        "the server hashes it (SHA-256) and checks its type while streaming it to `var/uploads`, fsyncs it, renames "
        "it into the evidence folder and files the complaint. Each round runs the upload"
        + (" to each server (this branch and the baseline, alternating which goes first)" if args.baseline else "")
        + ", then `cp`, then `cp` + `sync` of the same file on the same disk; the receipt's SHA-256 matched "
        "every time.",
        "",
        "| what | min | median | throughput (median) |",
        "|---|---:|---:|---:|",
        *(row(f"upload through the filing form ({app.label})", app.uploads) for app in apps),
        row("`cp` (page cache only, not durable)", copies),
        row("`cp` + `sync` (durable, as the upload is)", synced),
        "",
    ]
    for app in apps:
        pairs = [cs / up for cs, up in zip(synced, app.uploads, strict=True)]
        share = statistics.median(synced) / statistics.median(app.uploads)
        lines.append(
            f"{app.label}: upload throughput as a share of `cp` + `sync` **{share:.2f}x** "
            f"(medians), {min(synced) / min(app.uploads):.2f}x (minimums), {statistics.median(pairs):.2f}x (median of "
            f"the rounds' ratios); of plain `cp` {statistics.median(copies) / statistics.median(app.uploads):.2f}x "
            f"(medians). Server worker memory: {app.rss_before / 1024:.0f} MiB resident before the first upload, "
            f"peak {app.hwm_after / 1024:.0f} MiB after {args.rounds} uploads (growth "
            f"{(app.hwm_after - app.rss_before) / 1024:.0f} MiB). CPU per upload (what the load on a shared machine "
            f"moves least): server worker {min(app.server_cpu):.2f} s min / {statistics.median(app.server_cpu):.2f} s "
            f"median (all its threads: reading, parsing, SHA-256, writing, filing), curl {min(app.client_cpu):.2f} s "
            f"min / {statistics.median(app.client_cpu):.2f} s median.")
    lines.append(END)
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
