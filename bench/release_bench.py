"""Benchmark: building a public statistics release (figures, complementary suppression, the auditor, the
k-anonymous allegation file) over a large data set, paired with a bare pass over the same complaints.

Usage (from the repository root):

    .venv/bin/python bench/release_bench.py --complaints 200000 \\
        --database-url postgres://postgres@127.0.0.1:5432/complaints_release_bench

The data set is the staff pages benchmark's (bench/staff_pages_bench.py: bulk_create on a throwaway database,
bypassing history; received dates spread over three years, so a quarter holds about 17,000 complaints and a year
about 67,000). Each round times A = `publicdata.releases.preview(period)` (everything `publish` does but the
writing) and B = one ORM pass reading every complaint and allegation of the period into Python, interleaved A B
A B, and prints min, median and the ratio A/B of each round.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--database-url", default="sqlite:////tmp/release_bench.sqlite3")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated database")
    parser.add_argument("--periods", nargs="+", default=None, help="default: last full year and a quarter of it")
    args = parser.parse_args()

    import staff_pages_bench as data

    data.prepare_database(args.database_url, args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from complaints.models import Allegation, Complaint
    from publicdata import releases
    from publicdata.tables import _aware, period_bounds

    call_command("migrate", verbosity=0)
    if not (args.reuse and Complaint.objects.exists()):
        data.generate(args.complaints)
    year = timezone.localdate().year - 1
    periods = args.periods or [str(year), f"{year}Q2"]
    print(f"{Complaint.objects.count()} complaints, {Allegation.objects.count()} allegations")
    for period in periods:
        _kind, start, end = period_bounds(period)

        def baseline(start=start, end=end):
            complaints = list(Complaint.objects.filter(received_at__gte=_aware(start),
                                                       received_at__lt=_aware(end, end=True))
                              .values_list("pk", "channel", "filer_role", "language", "district"))
            allegations = list(Allegation.objects.filter(complaint__received_at__gte=_aware(start),
                                                         complaint__received_at__lt=_aware(end, end=True))
                               .values_list("pk", "category__code", "complaint__investigation__state"))
            return len(complaints), len(allegations)

        a_times, b_times = [], []
        for _round in range(args.rounds):
            began = time.perf_counter()
            result = releases.preview(period)
            a_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            sizes = baseline()
            b_times.append(time.perf_counter() - began)
        ratios = [a / b for a, b in zip(a_times, b_times, strict=True)]
        print(f"{period}: {sizes[0]} complaints, {sizes[1]} allegations, {result['withheld']} values withheld, "
              f"{len(result['allegation_rows'])} allegation rows published")
        print(f"  release build  min {min(a_times):.2f} s  median {statistics.median(a_times):.2f} s")
        print(f"  bare ORM pass  min {min(b_times):.2f} s  median {statistics.median(b_times):.2f} s")
        print(f"  ratio A/B      min {min(ratios):.1f}  median {statistics.median(ratios):.1f}")


if __name__ == "__main__":
    main()
