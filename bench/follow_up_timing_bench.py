"""Benchmark: does a follow-up sign-in take the same time for a missing reference as for a wrong code?

Usage (from the repository root):

    .venv/bin/python bench/follow_up_timing_bench.py [--rounds 7]

A throwaway SQLite database in /tmp gets one complaint (filed through complaints.services, with Django's default,
slow password hasher, as in production). Then, interleaved A/B per round, the follow-up sign-in page is posted
through Django's test client with (A) the real reference and a wrong code and (B) a reference that does not exist.
Each POST comes from its own client address, so no rate limit is reached. Prints min and median per case and writes
them into bench/RESULTS.md between the follow-up-timing markers.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
START, END = "<!-- follow-up-timing-bench:start -->", "<!-- follow-up-timing-bench:end -->"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="follow-up-timing-")
    os.environ.update({"DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "VAR_DIR": folder})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from complaints.services import file_complaint

    setup_test_environment()
    call_command("migrate", verbosity=0)
    complaint, _code = file_complaint(narrative="Benchmark", filer_role="anonymous", language="en", label="bench")
    client = Client()
    wrong = "ABCD-EFGH-JKMN-PQRS-TVWX"
    cases = {"A: real reference, wrong code": complaint.reference, "B: missing reference": "C-1999-999999"}
    times = {name: [] for name in cases}
    for round_number in range(args.rounds + 1):
        for n, (name, reference) in enumerate(cases.items()):
            started = time.perf_counter()
            response = client.post("/en/follow-up/", {"reference": reference, "code": wrong},
                                   REMOTE_ADDR=f"10.9.{round_number}.{n}")
            elapsed = time.perf_counter() - started
            assert response.status_code == 403, response.status_code
            if round_number:  # the first round warms up (imports, the dummy hash, the database)
                times[name].append(elapsed * 1000)
    load = os.getloadavg()[0]
    rows = [f"| {name} | {min(values):.0f} | {statistics.median(values):.0f} |" for name, values in times.items()]
    report = "\n".join([
        START,
        "## Follow-up sign-in: missing reference vs wrong code (intake, issue 9 item 6)",
        "",
        f"`bench/follow_up_timing_bench.py`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite, Django's default password hasher; "
        f"load average at the end {load:.1f} (the machine is shared). {args.rounds} interleaved A/B rounds after one "
        "warm-up round, each POST through the test client from its own address.",
        "",
        "| case | min ms | median ms |",
        "|---|---:|---:|",
        *rows,
        "",
        "Both cases hash once (a missing reference is checked against a stored dummy hash); before this change a "
        "missing reference hashed twice (make_password + check_password). Compare the minimums: on a shared machine "
        "the medians move with the load.",
        END,
    ])
    print(report)
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text()
    if START in text:
        text = text[: text.index(START)] + report + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + report + "\n"
    results.write_text(text)


if __name__ == "__main__":
    main()
