"""Writes to the record. Each function is one thing a person does, atomic, and leaves history with a reason."""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from .history import PUBLIC_FILER, recorded
from .models import Allegation, Complaint, Evidence, Message, Party, ReferenceCounter, RetaliationReport
from .processing import queue_processing

# Letters and digits without look-alikes (no 0/O, 1/I/L, U): easy to read aloud and to copy from a phone screen.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 20  # 20 symbols of a 30-symbol alphabet: about 98 bits


def allocate_reference(year=None):
    """The next reference number for `year` (C-2026-000123); call inside a transaction."""
    year = year or timezone.now().year
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"C-{year}-{counter.last_number:06d}"


def new_follow_up_code():
    """(code to show the filer once, grouped for reading; hash to store)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    shown = "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    return shown, make_password(raw)


def normalize_follow_up_code(text):
    """Accept the code with or without spaces or dashes, in any case."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def follow_up_code_matches(complaint, text):
    code = normalize_follow_up_code(text)
    if not complaint.follow_up_code_hash or len(code) != CODE_LENGTH:
        # Still spend the hashing time so a wrong length is not told apart by timing.
        check_password(code, make_password("x"))
        return False
    return check_password(code, complaint.follow_up_code_hash)


def file_complaint(*, narrative, filer_role, parties=(), allegations=(), by=None, label=None,
                   reason="complaint filed", **fields):
    """Create a complaint with its parties and allegations; return (complaint, follow-up code shown once).

    `parties` are dicts of Party fields; `allegations` dicts of Allegation fields.
    """
    shown_code, code_hash = new_follow_up_code()
    with transaction.atomic(), recorded(by=by, label=label, reason=reason):
        received_at = fields.pop("received_at", None) or timezone.now()
        complaint = Complaint(
            reference=allocate_reference(received_at.year),
            narrative=narrative,
            filer_role=filer_role,
            follow_up_code_hash=code_hash,
            received_at=received_at,
            **fields,
        )
        complaint.full_clean()
        complaint.save()
        for party in parties:
            Party.objects.create(complaint=complaint, **party)
        for allegation in allegations:
            Allegation.objects.create(complaint=complaint, **allegation)
    return complaint, shown_code


# --- Public intake and the follow-up portal (issue 3) ---------------------------------------------------------


def attach_evidence(complaint, stored_files, *, by=None, label=None, reason="evidence added", public=False):
    """Record already-stored files (complaints.evidence.StoredFile) as evidence of `complaint`."""
    with transaction.atomic(), recorded(by=by, label=label, reason=reason):
        items = []
        for stored in stored_files:
            evidence = Evidence(
                complaint=complaint, original_name=stored.original_name, mime_type=stored.mime_type,
                kind=stored.kind, size=stored.size, sha256=stored.sha256, submitted_by_public=public,
                submitted_by=by,
            )
            evidence.file.name = stored.name
            evidence.full_clean()
            evidence.save()
            items.append(evidence)
        # Scan, probe, poster and playable copy run as background jobs, sent once this transaction commits.
        queue_processing(items)
    return items


def file_public_complaint(*, stored_files=(), **fields):
    """File a complaint from the public form with its evidence in one short transaction; (complaint, code).

    The files are already in the evidence storage: no transaction is open while bytes move.
    """
    with transaction.atomic():
        complaint, shown_code = file_complaint(label=PUBLIC_FILER, **fields)
        attach_evidence(complaint, stored_files, label=PUBLIC_FILER, reason="evidence given with the complaint",
                        public=True)
    return complaint, shown_code


def send_complainant_message(complaint, body, *, language):
    """A message (an answer, or more information) from the complainant through the follow-up portal."""
    with transaction.atomic(), recorded(label=PUBLIC_FILER, reason="message from the complainant"):
        return Message.objects.create(
            complaint=complaint, direction=Message.Direction.FROM_COMPLAINANT, body=body, language=language
        )


def mark_messages_read(complaint):
    """Note when the complainant first saw each message sent to them."""
    unread = list(complaint.messages.filter(direction=Message.Direction.TO_COMPLAINANT, read_at__isnull=True))
    if not unread:
        return
    with transaction.atomic(), recorded(label=PUBLIC_FILER, reason="complainant read the message"):
        now = timezone.now()
        for message in unread:
            message.read_at = now
            message.save()


def report_retaliation(complaint, description):
    """Record a complainant's retaliation report and flag the complaint urgent for staff."""
    with transaction.atomic(), recorded(label=PUBLIC_FILER, reason="retaliation reported by the complainant"):
        report = RetaliationReport.objects.create(
            complaint=complaint, source=RetaliationReport.Source.FOLLOW_UP_PORTAL, description=description
        )
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if not complaint.urgent:
            complaint.urgent = True
            complaint.save()
    return report
