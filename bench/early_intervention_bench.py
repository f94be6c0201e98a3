"""Benchmark of early-intervention evaluation: every rule in force for 600 officers over a large record.

Usage (from the repository root):

    .venv/bin/python bench/early_intervention_bench.py --database-url \
        postgres://postgres@127.0.0.1:5432/complaints_ei_bench --complaints 200000 --events 500000

The data set is generated with bulk_create on a throwaway database: that BYPASSES the history tables and the
hash chain (no historical rows for the generated records), acceptable only because the database is thrown away.
Complaints (1-3 allegations each), approved findings (15% sustained in closed cases), retaliation reports and
imported officer events are spread over three years. The seeded default rules (migration 0002) are evaluated.

Timed, `--rounds` rounds each, interleaved:
  the first evaluation (it raises the alerts) on a fresh copy of the generated database each time (PostgreSQL:
  CREATE DATABASE ... TEMPLATE):
    A  evaluate(): the alerts written in bulk (complaints.records.bulk_create_with_history, one chain-head lock);
    B  the baseline: the same alerts saved one by one, as before;
  then, on the evaluated copy,
    A  evaluate(): every rule, reading every indicator and de-duplicating against the alerts already raised;
    B  the reads alone (every rule's indicator counts and peer groups, nothing written);
    C  evaluate() for one officer, as after a change (threshold rules for him, peer rules for the whole group).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--officers", type=int, default=600)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/complaints_ei_bench")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated database")
    parser.add_argument("--again-only", action="store_true",
                        help="skip the first-evaluation rounds: time evaluating again on the last copy")
    return parser.parse_args()


def prepare_database(url, reuse):
    if url.startswith("postgres") and not reuse:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif url.startswith("sqlite:///") and not reuse:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            candidate = Path(str(path) + suffix)
            if candidate.exists():
                candidate.unlink()  # our own throwaway benchmark file, never the application's database
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-7f3a9c2e5b8d1f4a6c9e2b5d8f1a4c7e0b3d6f9a2c5e8b1d")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def unguarded():
    """A transaction in which bulk_create may write records without history rows (throwaway database only).

    On PostgreSQL the commit-time history guard (and the purge triggers) are switched off for the load, as
    bench/verify_bench.py and bench/staff_pages_bench.py do.
    """
    from contextlib import contextmanager

    from django.db import connection, transaction

    @contextmanager
    def block():
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            yield

    return block()


def generate(officer_total, complaint_total, event_total):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from complaints.history import recorded
    from complaints.models import Allegation, Category, Complaint, Disposition, Officer, RetaliationReport, Unit
    from early_intervention.models import EventType, OfficerEvent
    from investigations.models import Finding, Investigation

    rng = random.Random(2026)
    assignments = ["patrol"] * 6 + ["tactical", "traffic", "investigations", "administrative", "supervision"]
    with recorded(label="bench", reason="benchmark roster"):
        units = [Unit.objects.create(code=f"U{i}", name=f"Unit {i}") for i in range(20)]
    with unguarded():
        officers = Officer.objects.bulk_create([
            Officer(first_name=f"First{i}", last_name=f"Last{i}", star_number=str(1000 + i), employee_id=f"B{i}",
                    unit=units[i % len(units)], assignment_type=rng.choice(assignments))
            for i in range(officer_total)])
    reviewer = get_user_model().objects.create_user(username="bench-supervisor", password="x" * 16)
    categories = list(Category.objects.all())
    sustained = Disposition.objects.get(code="sustained")
    not_sustained = Disposition.objects.get(code="not-sustained")
    now = timezone.now()
    span = 3 * 365 * 24 * 60
    batch = 5000
    for start in range(0, complaint_total, batch):
        size = min(batch, complaint_total - start)
        with unguarded():
            complaints = Complaint.objects.bulk_create([
                Complaint(reference=f"B-{start + n:08d}", filer_role="anonymous", narrative="Generated.",
                          received_at=now - datetime.timedelta(minutes=rng.randint(0, span)))
                for n in range(size)])
            investigations = Investigation.objects.bulk_create([
                Investigation(complaint=c, state="closed" if rng.random() < 0.5 else "investigating")
                for c in complaints])
            allegations = Allegation.objects.bulk_create([
                Allegation(complaint=c, officer=rng.choice(officers), category=rng.choice(categories))
                for c in complaints for _ in range(rng.choice([1, 1, 2, 3]))])
            by_complaint = {inv.complaint_id: inv for inv in investigations}
            findings = []
            for allegation in allegations:
                inv = by_complaint[allegation.complaint_id]
                if inv.state == "closed":
                    findings.append(Finding(
                        investigation=inv, allegation=allegation, stage="approved", recorded_by=reviewer,
                        disposition=sustained if rng.random() < 0.15 else not_sustained,
                        recorded_at=allegation.complaint.received_at + datetime.timedelta(days=60)))
            Finding.objects.bulk_create(findings)
            RetaliationReport.objects.bulk_create([
                RetaliationReport(complaint=c, description="Generated.", reported_at=c.received_at)
                for c in complaints if rng.random() < 0.01])
        print(f"  generated {start + size} complaints", file=sys.stderr)
    types = list(EventType.objects.all())
    for start in range(0, event_total, batch * 4):
        size = min(batch * 4, event_total - start)
        with unguarded():
            OfficerEvent.objects.bulk_create([
                OfficerEvent(source="bench", source_id=str(start + n), event_type=rng.choice(types),
                             officer=rng.choice(officers),
                             occurred_at=now - datetime.timedelta(minutes=rng.randint(0, span)))
                for n in range(size)])
        print(f"  generated {start + size} events", file=sys.stderr)


def reads_only():
    from django.utils import timezone

    from early_intervention import evaluation

    occurrences = evaluation._Occurrences(timezone.now())
    return sum(len(evaluation.findings_for_rule(rule, occurrences)[1]) for rule in evaluation.rules_in_force())


def first_in_bulk(parts):
    """evaluate(), in its two parts: the reads (candidates) and the writes (alerts and history rows in bulk)."""
    from django.utils import timezone

    from early_intervention import evaluation

    seconds, found = timed(lambda: evaluation.candidates(timezone.now()))
    parts["reads"].append(seconds)
    seconds, raised = timed(lambda: evaluation._raise(found, "bench"))
    parts["writes"].append(seconds)
    return raised


def first_one_by_one(parts):
    """The baseline: the same reads, then the same alerts saved one by one, as evaluate() did before it wrote them
    in bulk (each save takes the chain head's lock, writes its history row and moves the head)."""
    from django.db import transaction
    from django.utils import timezone

    from complaints.history import recorded
    from early_intervention import evaluation

    seconds, found = timed(lambda: evaluation.candidates(timezone.now()))
    parts["reads"].append(seconds)

    def save_each():
        for rule in {alert.rule for alert in found}:
            with transaction.atomic(), recorded(label="bench", reason=f"early-intervention rule {rule.code}"):
                for alert in found:
                    if alert.rule is rule:
                        alert.save()

    parts["writes"].append(timed(save_each)[0])
    return found


def use_database(name):
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def fresh_copy(url, copy):
    """Make `copy` a new copy of the generated database (PostgreSQL: CREATE DATABASE ... TEMPLATE) and use it."""
    import psycopg

    base, name = url.rsplit("/", 1)
    use_database(name)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    use_database(copy)


def drop(url, copy):
    import psycopg

    use_database(url.rsplit("/", 1)[1])
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def report(timings):
    for label, values in timings.items():
        if values:
            print(f"{label}: min {min(values):.2f} s, median {statistics.median(values):.2f} s "
                  f"({len(values)} rounds: {', '.join(f'{v:.2f}' for v in values)})", flush=True)


def main():
    args = parse_args()
    prepare_database(args.database_url, args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from complaints.models import Officer
    from early_intervention.evaluation import evaluate

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        generate(args.officers, args.complaints, args.events)
        print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # As autovacuum would have on a real database: statistics, hint bits and the visibility map.
                cursor.execute("VACUUM ANALYZE")
    copy = args.database_url.rsplit("/", 1)[1] + "_run"
    if args.again_only:
        use_database(copy)
        print(f"  evaluated the copy first: {len(evaluate())} alerts raised", flush=True)
    elif connection.vendor == "postgresql":
        # The first evaluation, on a fresh copy of the generated data each time: A in bulk, B one by one.
        first = {"first evaluation A evaluate() (alerts in bulk)": [], "first evaluation B saved one by one": []}
        parts = {label: {"reads": [], "writes": []} for label in first}
        for _round in range(args.rounds):
            for label, function in zip(first, (first_in_bulk, first_one_by_one), strict=True):
                fresh_copy(args.database_url, copy)
                seconds, raised = timed(lambda: function(parts[label]))  # noqa: B023 - called at once
                first[label].append(seconds)
                print(f"  {label}: {seconds:.2f} s (reads {parts[label]['reads'][-1]:.2f} s, writes "
                      f"{parts[label]['writes'][-1]:.2f} s), {len(raised)} alerts", flush=True)
        report(first)
        report({f"{label}, {part}": values for label in parts for part, values in parts[label].items()})
    else:
        seconds, raised = timed(evaluate)
        print(f"first evaluation: {seconds:.2f} s, {len(raised)} alerts raised", flush=True)
    officers = list(Officer.objects.values_list("pk", flat=True))
    rng = random.Random(11)
    timings = {"A evaluate()": [], "B reads only": [], "C evaluate(officer_ids=[one officer])": []}
    for _round in range(args.rounds):
        seconds, raised = timed(evaluate)
        assert raised == [], "a second evaluation raised alerts again"
        timings["A evaluate()"].append(seconds)
        timings["B reads only"].append(timed(reads_only)[0])
        timings["C evaluate(officer_ids=[one officer])"].append(
            timed(lambda: evaluate(officer_ids=[rng.choice(officers)]))[0])
        print(f"  round {_round + 1}: " + ", ".join(f"{k.split()[0]} {v[-1]:.2f} s" for k, v in timings.items()),
              flush=True)
    report(timings)
    if connection.vendor == "postgresql":
        drop(args.database_url, copy)


if __name__ == "__main__":
    main()
