"""The record itself: reference numbers, follow-up codes, officers' chain of command, defaults."""

import re

import pytest

from complaints.models import Category, Complaint, Disposition
from complaints.services import file_complaint, follow_up_code_matches

pytestmark = pytest.mark.django_db


def test_reference_numbers_are_readable_and_sequential():
    first, _ = file_complaint(narrative="one", filer_role="anonymous", label="public filer")
    second, _ = file_complaint(narrative="two", filer_role="anonymous", label="public filer")
    assert re.fullmatch(r"C-\d{4}-\d{6}", first.reference)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_follow_up_code_is_stored_only_as_a_hash_and_accepted_loosely():
    complaint, code = file_complaint(narrative="x", filer_role="anonymous", label="public filer")
    stored = Complaint.objects.get(pk=complaint.pk).follow_up_code_hash
    assert code.replace("-", "") not in stored and code not in stored
    assert len(code.replace("-", "")) * 4.9 >= 80  # ~4.9 bits per symbol of a 30-symbol alphabet
    assert follow_up_code_matches(complaint, code)
    assert follow_up_code_matches(complaint, code.lower().replace("-", " "))
    assert not follow_up_code_matches(complaint, "A" * 20)
    assert not follow_up_code_matches(complaint, "")


def test_chain_of_command_walks_up_the_supervisors(roster):
    assert roster["officer"].chain_of_command() == [roster["sergeant"], roster["commander"]]
    assert roster["commander"].chain_of_command() == []


def test_default_categories_and_findings_are_seeded():
    codes = set(Category.objects.values_list("code", flat=True))
    assert {"excessive-force", "improper-stop-search", "false-arrest", "discourtesy", "bias", "retaliation",
            "failure-to-serve", "sexual-misconduct", "dishonesty", "failure-to-intervene", "body-camera",
            "other"} <= codes
    assert Disposition.objects.get(code="sustained").is_sustained
    assert Disposition.objects.get(code="administratively-closed").requires_reason


def test_the_filers_words_are_kept_exactly():
    narrative = "  Él dijo: «¡cállate!»\r\n\r\n— 警察  \t"
    complaint, _ = file_complaint(narrative=narrative, filer_role="harmed", label="public filer")
    assert Complaint.objects.get(pk=complaint.pk).narrative == narrative
