#!/usr/bin/env python3
"""Filing throughput: complaints filed per second through the real form by 1 and by 4 concurrent clients.

Starts gunicorn (4 sync workers, as in production) on a fresh PostgreSQL database, then runs rounds that
alternate the order of the two modes so they share the machine's state. Each filing is what a filer's browser
does: GET the form (CSRF cookie, one-time submission token), POST it (text only, no files), get the receipt.
Throughput counts whole filings (GET + POST) per second.

Usage: .venv/bin/python bench/filing_bench.py \
           --database-url postgres://postgres@127.0.0.1:5432/bench_filing [--rounds 5] [--filings 24]
gunicorn must be installed in .venv.
"""

import argparse
import http.client
import http.cookies
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


# A throwaway key, long enough for the settings check (production keys come from the environment).
BENCH_KEY = "bench-only-secret-7f3a9c2e5b8d1f4a6c9e2b5d8f1a4c7e0b3d6f9a2c5e8b1d"

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def file_one(port):
    """One filing as a browser does it; the receipt's reference."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/en/file/")
    response = conn.getresponse()
    page = response.read().decode()
    assert response.status == 200, response.status
    cookies = http.cookies.SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "submission": submission, "filer_role": "anonymous",
        "narrative": "An officer took my phone during a traffic stop and did not give it back.",
    })
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", "/en/file/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{key}={morsel.value}" for key, morsel in cookies.items()),
        "Referer": f"http://127.0.0.1:{port}/en/file/",
    })
    response = conn.getresponse()
    receipt = response.read().decode()
    conn.close()
    found = re.search(r'id="reference">([^<]+)<', receipt)
    assert response.status == 200 and found, (response.status, receipt[:2000])
    return found.group(1)


def run_clients(port, clients, per_client):
    references, errors = [], []

    def client():
        try:
            for _ in range(per_client):
                references.append(file_one(port))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        raise errors[0]
    assert len(set(references)) == clients * per_client, "duplicate references"
    return clients * per_client / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="a throwaway PostgreSQL database (dropped, recreated)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--filings", type=int, default=24, help="filings per client per measurement")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    import psycopg

    base, name = args.database_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # this benchmark's own throwaway database
        conn.execute(f'CREATE DATABASE "{name}"')
    var = ROOT / "bench" / "out" / "filing"
    var.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SECRET_KEY": BENCH_KEY,
           "FOLLOW_UP_CODE_KEY": "bench-only-code-key", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "HTTPS": "0",
           "VAR_DIR": str(var), "INTAKE_COMPLAINTS_PER_HOUR": "1000000", "LOG_LEVEL": "ERROR"}
    env.pop("DEBUG", None)
    subprocess.run([str(VENV_BIN / "python"), "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    load = os.getloadavg()
    one, four = [], []
    try:
        for _ in range(100):
            try:
                file_one(port)
                break
            except (OSError, AssertionError, AttributeError):
                time.sleep(0.3)
        run_clients(port, 4, 2)  # every worker warm
        for round_number in range(args.rounds):
            order = [(1, one), (4, four)] if round_number % 2 == 0 else [(4, four), (1, one)]
            for clients, results in order:
                results.append(run_clients(port, clients, args.filings))
            print(f"round {round_number + 1}: 1 client {one[-1]:.1f}/s, 4 clients {four[-1]:.1f}/s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratios = [f / o for o, f in zip(one, four, strict=True)]
    print(f"\n`.venv/bin/python bench/filing_bench.py --database-url {base}/<db> --rounds {args.rounds} "
          f"--filings {args.filings}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, gunicorn "
          f"{args.workers} sync workers, PostgreSQL, load average at the start {load[0]:.1f}\n")
    print("| clients | min filings/s | median filings/s |")
    print("|---|---:|---:|")
    print(f"| 1 | {min(one):.1f} | {statistics.median(one):.1f} |")
    print(f"| 4 | {min(four):.1f} | {statistics.median(four):.1f} |")
    print(f"\n4 clients / 1 client, per round: median {statistics.median(ratios):.2f}x, min {min(ratios):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
