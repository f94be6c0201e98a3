"""Reference numbers: C-YYYY-NNNNNN, unique, numbered per year, and handed out without making filers wait."""

import re
import threading

import pytest
from django.core.management import call_command
from django.db import connections, transaction

from complaints.history import recorded
from complaints.models import Complaint, ReferenceCounter
from complaints.services import allocate_reference, file_complaint

REFERENCE = re.compile(r"^C-(\d{4})-(\d{6,})$")


def file_one(**fields):
    return file_complaint(narrative="Searched my car without a reason.", filer_role="anonymous", **fields)[0]


@pytest.mark.django_db
def test_references_are_readable_and_count_up_within_the_year():
    numbers = []
    for _ in range(3):
        match = REFERENCE.match(file_one().reference)
        assert match
        numbers.append(int(match.group(2)))
    assert numbers == sorted(set(numbers))


@pytest.mark.django_db
def test_numbering_of_a_year_continues_after_the_numbers_already_given():
    with recorded(label="test", reason="numbers given before the sequence existed"):
        ReferenceCounter.objects.create(year=2031, last_number=41)
    with transaction.atomic():
        assert allocate_reference(2031) == "C-2031-000042"
        assert allocate_reference(2031) == "C-2031-000043"
        assert allocate_reference(2032) == "C-2032-000001"


def test_eight_concurrent_filers_on_postgresql_get_distinct_references(committed_database):
    """Eight threads file at once, each on its own connection, into a copy of the migrated test database."""
    per_writer, writers = 5, 8
    file_one()  # the history chain heads exist before the race starts
    start = threading.Barrier(writers)
    references, errors = [], []

    def writer():
        try:
            start.wait()
            for _ in range(per_writer):
                references.append(file_one().reference)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=writer) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(references) == len(set(references)) == writers * per_writer
    assert all(REFERENCE.match(reference) for reference in references)
    stored = list(Complaint.objects.values_list("reference", flat=True))
    assert len(stored) == len(set(stored)) == writers * per_writer + 1
    call_command("verify_history")  # raises CommandError naming the first bad row
