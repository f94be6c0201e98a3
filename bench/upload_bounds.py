#!/usr/bin/env python3
"""How fast can any app behind gunicorn take a 1 GiB upload on this machine? Bounds for bench/upload_bench.py.

Starts gunicorn with the production settings (config/gunicorn.conf.py, one worker process) serving a bare WSGI app
(no Django request handling, no multipart parsing) that reads the raw request body in 1 MiB pieces and, by path:

- `/read`: only reads it;
- `/write`: writes it to a file and fsyncs it (what "durable" costs without hashing);
- `/hash-write`: hashes it (SHA-256) and writes it on the two threads the evidence upload handler uses
  (`complaints.evidence._Spool`, early writeback included), then fsyncs: the least the filing form can do.

Each round also times `cp` + `sync` (the upload bench's baseline), `dd` with `conv=fsync` from the file, and the
same `dd` fed through a pipe (`cat | dd`: the bytes arrive from another process, as an upload's do). Interleaved,
min and median, ratio to `cp` + `sync`.

Usage: .venv/bin/python bench/upload_bounds.py [--size-mib 1024] [--rounds 7]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "upload-bounds"
VENV_BIN = ROOT / ".venv" / "bin"


def app(environ, start_response):
    """The bare WSGI app gunicorn serves (imported as `upload_bounds:app`)."""
    from complaints.evidence import _Spool

    body, mode = environ["wsgi.input"], environ["PATH_INFO"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    file = tempfile.NamedTemporaryFile(dir=OUT, delete=False) if mode != "/read" else None
    spool = _Spool(file) if mode == "/hash-write" else None
    received = 0
    while received < length:
        chunk = body.read(min(1024 * 1024, length - received))
        if not chunk:
            break
        received += len(chunk)
        if spool is not None:
            spool.write(chunk)
        elif file is not None:
            file.write(chunk)
    answer = spool.finish() if spool is not None else str(received)
    if file is not None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.unlink(file.name)  # this benchmark's own throwaway file
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [answer.encode()]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(command):
    started = time.monotonic()
    subprocess.run(command, shell=True, check=True, capture_output=True)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    source = OUT / "source.bin"
    with open(source, "wb") as out:
        for _ in range(args.size_mib):
            out.write(os.urandom(1024 * 1024))
    port = free_port()
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "config.settings",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)])}
    server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "upload_bounds:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {name: [] for name in ("/read", "/write", "/hash-write", "cp + sync", "dd conv=fsync",
                                     "cat | dd conv=fsync")}
    try:
        for _ in range(100):
            try:
                subprocess.run(["curl", "-sf", "-X", "POST", "--data", "x", f"http://127.0.0.1:{port}/read"],
                               check=True, capture_output=True)
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        copy = OUT / "copy.bin"
        commands = {
            **{mode: f"curl -sf -X POST -T '{source}' -H 'Content-Type: application/octet-stream' "
                     f"http://127.0.0.1:{port}{mode}" for mode in ("/read", "/write", "/hash-write")},
            "cp + sync": f"cp '{source}' '{copy}' && sync",
            "dd conv=fsync": f"dd if='{source}' of='{copy}' bs=1M conv=fsync status=none",
            "cat | dd conv=fsync": f"cat '{source}' | dd of='{copy}' bs=1M iflag=fullblock conv=fsync status=none",
        }
        for round_number in range(1, args.rounds + 1):
            for name, command in commands.items():
                subprocess.run(["sync"], check=True)
                results[name].append(timed(command))
                copy.unlink(missing_ok=True)
            print(f"round {round_number}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in results.items())
                  + f", load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        source.unlink(missing_ok=True)
    baseline = statistics.median(results["cp + sync"])
    print(f"\n{args.size_mib} MiB, {args.rounds} interleaved rounds, {os.cpu_count()} cores\n")
    print("| what | min | median | share of `cp` + `sync` (medians) |")
    print("|---|---:|---:|---:|")
    for name, times in results.items():
        label = f"gunicorn + bare app `{name}`" if name.startswith("/") else f"`{name}`"
        print(f"| {label} | {min(times):.2f} s | {statistics.median(times):.2f} s "
              f"| {baseline / statistics.median(times):.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
