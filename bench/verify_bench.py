"""Benchmark of verify_history (rows/s) against a bare ORM pass over the same rows (issue 13, item 4).

Usage (from the repository root):

    .venv/bin/python bench/verify_bench.py                          # SQLite throwaway file in /tmp
    .venv/bin/python bench/verify_bench.py --complaints 70000 \
        --database-url postgres://postgres@127.0.0.1:5432/complaints_verify_bench

The data set (complaints with three history versions each, chained exactly as the app chains them) is written
with bulk_create on a throwaway database; on PostgreSQL with session_replication_role=replica so the history
guard's commit check doesn't run 200,000 times (the rows are consistent anyway: verify_history checks them).
Each round runs, interleaved: A = `complaints.chain.verify()` (every chain, signed head and live row, in one
snapshot; `--workers N` as `verify_history --workers`); B = a bare ORM pass: every history row and every live row
read as model instances, nothing checked. A's CPU time (this process and its workers) is printed too: on a shared
machine it moves less with the load than the wall-clock time. On PostgreSQL verify has the database hash most rows,
so the CPU of the local PostgreSQL processes during A is printed as well (read from /proc; other sessions' queries
on the same server count too).

15% of the complaints (--non-english) have a Spanish, Arabic or Vietnamese narrative: their history rows hold
non-ASCII text, which verify hashes in Python rather than in the database (docs/tamper-evidence.md).
"""

import argparse
import datetime
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=70_000, help="history rows = 3 per complaint + seeds")
    parser.add_argument("--database-url", default="sqlite:////tmp/verify_bench.sqlite3")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated database")
    parser.add_argument("--workers", type=int, help="verify's worker processes (default: chosen by verify)")
    parser.add_argument("--non-english", type=int, default=15, metavar="PERCENT",
                        help="share of complaints told in Spanish, Arabic or Vietnamese (default 15)")
    parser.add_argument("--baseline", metavar="CHAIN_PY",
                        help="also time this other version of complaints/chain.py in each round (C, between A and B), "
                             "e.g. the one before a change: git show REV:complaints/chain.py > /tmp/chain_before.py")
    return parser.parse_args()


def prepare_database(url, reuse):
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                candidate = Path(str(path) + suffix)
                if candidate.exists():
                    candidate.unlink()  # our own throwaway benchmark file, never the application's database
    elif url.startswith("postgres") and not reuse:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    # Always the same key: the heads are signed with a key derived from it, and --reuse checks them again.
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-secret-7f3a9c2e5b8d1f4a6c9e2b5d8f1a4c7e0b3d6f9a2c5e8b1d"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def generate(total, non_english=15):
    from django.db import connection, transaction
    from django.utils import timezone

    from complaints.anchors import sign_head
    from complaints.history import row_digest
    from complaints.models import ChainHead, Complaint

    History = Complaint.history.model
    table = History._meta.db_table
    now = timezone.now()
    narrative = "The officer stopped me on the corner and searched my bag without saying why. " * 4
    # A multilingual intake: `non_english` complaints in 100 (15 by default) are told in Spanish, Arabic or
    # Vietnamese. Their non-ASCII text is escaped by Python's JSON encoder (\\uXXXX), which verify's SQL digest
    # doesn't reproduce, so these rows go through the Python path: its cost is in the figure.
    other_languages = [
        "El agente me detuvo en la esquina y registró mi bolso sin decir por qué. Pedí su número de placa. " * 3,
        "أوقفني الضابط عند الزاوية وفتّش حقيبتي دون أن يقول السبب. طلبت رقم شارته فرفض. " * 3,
        "Viên cảnh sát chặn tôi ở góc đường và lục soát túi của tôi mà không nói lý do. Tôi đã hỏi số hiệu. " * 3,
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        head = ChainHead.objects.select_for_update().get_or_create(table=table, lane=0)[0]
        seq, prev = head.seq, head.hash
        batch = 2000
        for start in range(0, total, batch):
            complaints = []
            for i in range(start, min(total, start + batch)):
                complaints.append(Complaint(
                    reference=f"C-2026-{i + 1:07d}", filer_role="harmed",
                    narrative=other_languages[i % 3] if i % 100 < non_english else narrative,
                    received_at=now - datetime.timedelta(minutes=i), incident_at=now - datetime.timedelta(days=2),
                    location="Main St and 5th", district=f"D{i % 25}", accessibility_needs=["interpreter"],
                    follow_up_code_hash="pbkdf2_sha256$1000000$salt$hash",
                ))
            Complaint.objects.bulk_create(complaints)
            rows = []
            for complaint in complaints:
                for version, (change, kind) in enumerate([("complaint filed", "+"), ("location corrected", "~"),
                                                           ("district set", "~")]):
                    row = History(history_date=complaint.received_at + datetime.timedelta(minutes=version),
                                  history_type=kind, history_change_reason=change, history_actor="bench")
                    for field in Complaint._meta.concrete_fields:
                        setattr(row, field.attname, getattr(complaint, field.attname))
                    seq += 1
                    row.chain_seq, row.chain_prev = seq, prev
                    row.chain_hash = prev = row_digest(row)
                    rows.append(row)
            History._base_manager.bulk_create(rows)
        ChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev, signature=sign_head(table, seq, prev))


def bare_orm_pass():
    from complaints.chain import history_models
    from complaints.dbguards import record_models

    rows = 0
    for model in history_models():
        for _row in model._base_manager.order_by("chain_seq", "history_id").iterator(chunk_size=2000):
            rows += 1
    for model in record_models():
        for _row in model._base_manager.iterator(chunk_size=2000):
            rows += 1
    return rows


def server_cpu_seconds():
    """User + system CPU of every process named postgres on this machine (backends, and the ones that exited,
    counted in their parent): the database server's share of verify when it runs locally. Other sessions' queries
    count too, so it is an upper bound on a shared machine; None when no postgres process is visible."""
    tick, total, seen = os.sysconf("SC_CLK_TCK"), 0, False
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if not comm.read().startswith("postgres"):
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen = True
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick if seen else None


def cpu_seconds():
    """User + system CPU of this process and its finished children (verify's workers), load-independent-ish."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_baseline(path):
    """Another version of complaints/chain.py, importable beside the current one (its relative imports resolve)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("complaints.chain_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the forked workers find its functions by this name
    spec.loader.exec_module(module)
    return module


def main():
    args = parse_args()
    prepare_database(args.database_url, args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from complaints.chain import verify

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        generate(args.complaints, args.non_english)
        print(f"generated in {time.perf_counter() - started:.0f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    a_times, b_times, a_cpu, a_server, loads = [], [], [], [], []
    baseline, c_times = (load_baseline(args.baseline) if args.baseline else None), []
    if baseline is not None:
        report = baseline.verify(workers=args.workers)
        assert not report.findings, report.breaks[:3]
    report = verify(workers=args.workers)
    assert not report.findings, report.breaks[:3]
    a_rows, b_rows = report.rows_checked, bare_orm_pass()
    print(f"{connection.vendor}: {a_rows} history rows, {report.records_checked} live rows; "
          f"bare pass reads {b_rows} rows; load {os.getloadavg()[0]:.1f}")
    for round_number in range(args.rounds):
        server = server_cpu_seconds() if connection.vendor == "postgresql" else None
        started, cpu = time.perf_counter(), cpu_seconds()
        report = verify(workers=args.workers)
        a_times.append(time.perf_counter() - started)
        a_cpu.append(cpu_seconds() - cpu)
        if server is not None:
            time.sleep(0.5)  # the workers' backends have exited; let the server reap them (their CPU moves then)
            a_server.append(server_cpu_seconds() - server)
        assert not report.findings, report.breaks[:3]
        if baseline is not None:
            started = time.perf_counter()
            baseline.verify(workers=args.workers)
            c_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        bare_orm_pass()
        b_times.append(time.perf_counter() - started)
        loads.append(os.getloadavg()[0])
        server_text = f", database server CPU {a_server[-1]:.2f} s" if a_server else ""
        baseline_text = f"baseline verify {c_times[-1]:.2f} s, " if c_times else ""
        print(f"round {round_number + 1}: verify {a_times[-1]:.2f} s (client CPU {a_cpu[-1]:.2f} s{server_text}), "
              f"{baseline_text}bare ORM pass {b_times[-1]:.2f} s, load {loads[-1]:.1f}")
    results = [("verify_history", a_times, a_rows), ("bare ORM pass", b_times, b_rows)]
    if c_times:
        results.insert(1, ("baseline verify", c_times, a_rows))
    for name, times, rows in results:
        print(f"{name}: min {min(times):.2f} s ({rows / min(times):,.0f} rows/s), "
              f"median {statistics.median(times):.2f} s ({rows / statistics.median(times):,.0f} rows/s)")
    print(f"verify client CPU (this process + workers, not the database server): min {min(a_cpu):.2f} s "
          f"({a_rows / min(a_cpu):,.0f} rows per CPU-second), median {statistics.median(a_cpu):.2f} s; "
          f"load {min(loads):.1f}-{max(loads):.1f}")
    if a_server:
        print(f"database server CPU during verify (every postgres process here, others' queries included): "
              f"min {min(a_server):.2f} s, median {statistics.median(a_server):.2f} s")
    print(f"verify / bare pass time, median of pairs: "
          f"{statistics.median(a / b for a, b in zip(a_times, b_times, strict=True)):.2f}")
    if c_times:
        print(f"verify / baseline verify time, median of pairs: "
              f"{statistics.median(a / c for a, c in zip(a_times, c_times, strict=True)):.2f}")


if __name__ == "__main__":
    main()
