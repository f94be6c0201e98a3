"""Benchmark of the staff list pages (caseload, supervisor board, search, triage, decisions) on a large data set.

Usage (from the repository root):

    .venv/bin/python bench/staff_pages_bench.py                      # SQLite throwaway file in /tmp
    .venv/bin/python bench/staff_pages_bench.py --complaints 200000 \
        --database-url postgres://postgres@127.0.0.1:5432/complaints_staff_bench

The data set is generated with bulk_create on a throwaway database: that BYPASSES the history tables and the
hash chain (no historical rows are written for the generated records), which is acceptable only because the
database is thrown away. Pages are requested through Django's test client as a signed-in user, so the timing
includes URL routing, middleware, the policy checks, the queries and template rendering (not the network).
"""

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--database-url", default="sqlite:////tmp/staff_pages_bench.sqlite3")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated database")
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
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-7f3a9c2e5b8d1f4a6c9e2b5d8f1a4c7e0b3d6f9a2c5e8b1d")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def generate(total):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from complaints import roles
    from complaints.history import recorded
    from complaints.models import Allegation, Category, Complaint, Disposition, Officer, Party, Unit
    from investigations.models import Finding, Investigation, State

    rng = random.Random(2026)
    User = get_user_model()
    with recorded(label="bench", reason="benchmark roster"):
        units = [Unit.objects.create(code=f"U{i}", name=f"Unit {i}") for i in range(20)]
        officers = [
            Officer.objects.create(first_name=f"First{i}", last_name=f"Last{i}", star_number=str(1000 + i),
                                   employee_id=f"B{i}", unit=units[i % len(units)])
            for i in range(600)
        ]
    users = {}
    for role in roles.ALL_ROLES:
        user = User.objects.create_user(username=f"bench-{role.replace(' ', '-')}", password="x" * 16)
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    investigators = [users[roles.INVESTIGATOR]]
    for i in range(24):
        user = User.objects.create_user(username=f"bench-investigator-{i}", password="x" * 16)
        user.groups.add(Group.objects.get(name=roles.INVESTIGATOR))
        investigators.append(user)
    categories = list(Category.objects.all())
    sustained = Disposition.objects.get(code="sustained")
    not_sustained = Disposition.objects.get(code="not-sustained")
    states = ([State.RECEIVED] * 3 + [State.TRIAGED] * 2 + [State.ASSIGNED] * 2 + [State.INVESTIGATING] * 10
              + [State.RETALIATION_CHECK] + [State.SUPERVISOR_REVIEW] * 2 + [State.FINDINGS_APPROVED]
              + [State.CLOSED] * 40 + [State.REFERRED] * 3 + [State.ADMINISTRATIVELY_CLOSED] * 3)
    names = ["Rosa Díaz", "Sam Lee", "Ana Kowalska", "Minh Nguyen", "Omar Haddad", "Li Wei", "Maria Santos",
             "John Smith", "Aisha Khan", "Ivan Petrov"]
    now = timezone.now()
    batch = 5000
    reference_number = 0
    for start in range(0, total, batch):
        size = min(batch, total - start)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # bulk_create writes no history rows: on this throwaway database, switch off the commit-time history
                # guard (and the purge triggers) for the load only, as bench/verify_bench.py does.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            complaints = []
            for _ in range(size):
                reference_number += 1
                received = now - datetime.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
                complaints.append(Complaint(
                    reference=f"C-{received.year}-{reference_number:07d}", filer_role=rng.choice(
                        ["harmed", "third_party", "anonymous", "representative"]),
                    language=rng.choice(["en", "es", "pl", "ar", "zh-hans", "vi"]), received_at=received,
                    narrative="Generated benchmark complaint.", district=f"D{rng.randint(1, 25)}",
                    urgent=rng.random() < 0.02, sealed=rng.random() < 0.01,
                ))
            complaints = Complaint.objects.bulk_create(complaints)
            investigations, allegations, parties = [], [], []
            for complaint in complaints:
                state = rng.choice(states)
                investigator = None if state in (State.RECEIVED, State.TRIAGED, State.REFERRED) else rng.choice(
                    investigators)
                entered = complaint.received_at + datetime.timedelta(days=rng.randint(0, 30))
                investigations.append(Investigation(
                    complaint=complaint, state=state, investigator=investigator, state_entered_at=entered,
                    phase_due_at=entered + datetime.timedelta(days=30), due_at=complaint.received_at
                    + datetime.timedelta(days=180),
                ))
                for _ in range(rng.choice([1, 1, 2, 3])):
                    allegations.append(Allegation(complaint=complaint, officer=rng.choice(officers),
                                                  category=rng.choice(categories)))
                if complaint.filer_role != "anonymous":
                    parties.append(Party(complaint=complaint, role="harmed", is_filer=True,
                                         name=f"{rng.choice(names)} {rng.randint(1, 9999)}"))
            investigations = Investigation.objects.bulk_create(investigations)
            allegations = Allegation.objects.bulk_create(allegations)
            Party.objects.bulk_create(parties)
            by_complaint = {inv.complaint_id: inv for inv in investigations}
            findings = []
            for allegation in allegations:
                inv = by_complaint[allegation.complaint_id]
                if inv.state in (State.FINDINGS_APPROVED, State.CLOSED):
                    disposition = sustained if rng.random() < 0.15 else not_sustained
                    findings.append(Finding(investigation=inv, allegation=allegation, stage="approved",
                                            disposition=disposition, recorded_by=users[roles.SUPERVISOR],
                                            recorded_at=inv.state_entered_at))
            Finding.objects.bulk_create(findings)
        print(f"  generated {start + size} complaints", file=sys.stderr)
    return users


def empty_view_urlconf():
    """The project's URLs plus /bench-empty/: a signed-in staff view that renders an empty template (the baseline)."""
    import types

    from django.http import HttpResponse
    from django.template import Template
    from django.template.context import RequestContext
    from django.urls import path

    import config.urls
    from investigations.views import staff_required

    @staff_required
    def empty(request):
        return HttpResponse(Template("").render(RequestContext(request, {})))

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [path("bench-empty/", empty), *config.urls.urlpatterns]
    sys.modules["bench_urls"] = module
    return "bench_urls"


def signed_in(client, user):
    """Sign `user` in with both factors, as the sign-in page does (staff pages refuse a password-only session)."""
    from django.conf import settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from signin import sessions

    client.force_login(user)
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="bench authenticator", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[sessions.STARTED] = session[sessions.SEEN] = time.time()
    session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
    session.save()


class deep:  # noqa: N801 (reads as a marker in the page table)
    """Page `depth` of a list, reached as staff reach it: by following its Next links (keyset pages)."""

    def __init__(self, path, prefix="", depth=40):
        self.path, self.prefix, self.depth = path, prefix, depth

    def follow(self, client):
        import html

        url = self.path
        for _ in range(self.depth - 1):
            content = client.get(url).content.decode()
            found = re.search(rf'<a href="(\?[^"]*{self.prefix}after=[^"]*)" rel="next">', content)
            assert found, f"no Next link on {url}"
            url = self.path + html.unescape(found.group(1))
        return url


def time_pages(users, repeat):
    """Each page and the empty view, in interleaved pairs (empty, page) for `repeat` rounds."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from complaints import roles
    from complaints.models import Complaint
    from investigations.models import Investigation

    some_reference = Complaint.objects.filter(sealed=False).order_by("pk").values_list("reference", flat=True)[1233]
    pages = [
        ("caseload (investigator)", roles.INVESTIGATOR, "/staff/caseload/"),
        ("caseload, 100 per page", roles.INVESTIGATOR, "/staff/caseload/?per_page=100"),
        ("supervisor board", roles.SUPERVISOR, "/staff/board/"),
        ("supervisor board, page 40 by Next links", roles.SUPERVISOR, deep("/staff/board/", "progress_")),
        ("supervisor board, typed ?progress_page=40", roles.SUPERVISOR, "/staff/board/?progress_page=40"),
        ("triage queue (intake)", roles.INTAKE_COORDINATOR, "/staff/triage/"),
        ("triage queue, page 40 by Next links", roles.INTAKE_COORDINATOR, deep("/staff/triage/")),
        ("triage queue, typed ?page=40", roles.INTAKE_COORDINATOR, "/staff/triage/?page=40"),
        ("caseload, page 40 by Next links", roles.INVESTIGATOR, deep("/staff/caseload/")),
        ("decision queue (chief)", roles.CHIEF, "/staff/decisions/"),
        ("search: full reference", roles.SUPERVISOR, f"/staff/search/?reference={some_reference}"),
        ("search: reference prefix", roles.SUPERVISOR, "/staff/search/?reference=C-2025-00012"),
        ("search: officer badge", roles.SUPERVISOR, "/staff/search/?officer=1042"),
        ("search: person's name", roles.SUPERVISOR, "/staff/search/?name=Omar+Haddad+77"),
        ("search: category + status", roles.SUPERVISOR, "/staff/search/?category=excessive-force&status=closed"),
        ("search: date range", roles.SUPERVISOR, "/staff/search/?received_from=2025-01-01&received_to=2025-01-31"),
    ]
    results = []
    with override_settings(ROOT_URLCONF=empty_view_urlconf()):
        client = Client()
        for label, role, url in pages:
            signed_in(client, users[role])
            if isinstance(url, deep):
                url = url.follow(client)
            client.get(url)  # warm caches (templates, connection)
            client.get("/bench-empty/")
            page_ms, empty_ms = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                assert client.get("/bench-empty/").status_code == 200
                empty_ms.append((time.perf_counter() - started) * 1000)
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    page_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            found = re.search(r"\(((?:more than )?\d+) cases?", response.content.decode())
            rows = found.group(1) if found else "-"
            results.append((label, page_ms, empty_ms, len(queries.captured_queries), rows))
    return results, Investigation.objects.count()


def main():
    args = parse_args()
    prepare_database(args.database_url, args.reuse)
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from complaints import roles

    started = time.perf_counter()
    if not args.reuse:
        call_command("migrate", verbosity=0)
        users = generate(args.complaints)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # What autovacuum does to a live database: statistics, and the visibility map index-only scans need.
                cursor.execute("VACUUM ANALYZE")
    else:
        from django.contrib.auth import get_user_model

        call_command("migrate", verbosity=0)  # indexes added since the data was generated
        User = get_user_model()
        users = {role: User.objects.get(username=f"bench-{role.replace(' ', '-')}") for role in roles.ALL_ROLES}
    generated_in = time.perf_counter() - started
    results, count = time_pages(users, args.repeat)
    print(f"\n{connection.vendor}: {count} complaints/investigations (set-up {generated_in:.0f} s), "
          f"{args.repeat} interleaved rounds (empty view, page); load average {os.getloadavg()[0]:.1f}\n")
    print("| page | median ms | min ms | empty view median ms | page / empty (median) | page / empty (min) "
          "| queries | matching cases |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, page_ms, empty_ms, queries, rows in results:
        median, empty = statistics.median(page_ms), statistics.median(empty_ms)
        print(f"| {label} | {median:.0f} | {min(page_ms):.0f} | {empty:.1f} | {median / empty:.1f}x "
              f"| {min(page_ms) / min(empty_ms):.1f}x | {queries} | {rows} |")


if __name__ == "__main__":
    main()
