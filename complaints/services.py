"""Writes to the record. Each function is one thing a person does, atomic, and leaves history with a reason."""

import secrets

from django.db import connection, transaction
from django.utils import timezone

from .codes import code_matches, hash_code, is_current
from .history import PUBLIC_FILER, recorded
from .models import (
    Allegation,
    Complaint,
    Evidence,
    EvidenceSource,
    FilerDemographics,
    Message,
    Party,
    ReferenceCounter,
    RetaliationReport,
)
from .processing import queue_processing
from .signals import complaint_filed, retaliation_reported

# Letters and digits without look-alikes (no 0/O, 1/I/L, U): easy to read aloud and to copy from a phone screen.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 20  # 20 symbols of a 30-symbol alphabet: about 98 bits


def allocate_reference(year=None):
    """The next reference number for `year` (C-2026-000123); call inside a transaction.

    On PostgreSQL a sequence per year hands it out without a lock held until commit (migration 0004), so
    concurrent filers never wait on each other; a rolled-back filing leaves a gap, never a reused number.
    """
    year = year or timezone.now().year
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT complaints_next_reference(%s)", [year])
            number = cursor.fetchone()[0]
        return f"C-{year}-{number:06d}"
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"C-{year}-{counter.last_number:06d}"


def new_follow_up_code():
    """(code to show the filer once, grouped for reading; keyed hash to store)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    shown = "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    return shown, hash_code(raw)


def normalize_follow_up_code(text):
    """Accept the code with or without spaces or dashes, in any case."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())




def follow_up_code_matches(complaint, text):
    """True when `text` is the complaint's follow-up code; a code still stored as PBKDF2 is re-stored as HMAC."""
    code = normalize_follow_up_code(text)
    stored = complaint.follow_up_code_hash if len(code) == CODE_LENGTH else ""
    if not code_matches(code, stored):
        return False
    if not is_current(stored):
        with transaction.atomic(), recorded(label=PUBLIC_FILER, reason="follow-up code re-stored as HMAC-SHA256"):
            complaint.follow_up_code_hash = hash_code(code)
            complaint.save(update_fields=["follow_up_code_hash"])
    return True


def file_complaint(*, narrative, filer_role, parties=(), allegations=(), by=None, label=None,
                   reason="complaint filed", follow_up=None, **fields):
    """Create a complaint with its parties and allegations; return (complaint, follow-up code shown once).

    `parties` are dicts of Party fields; `allegations` dicts of Allegation fields; `follow_up` a code prepared
    beforehand with new_follow_up_code() (the public form prepares it before storing any file).
    """
    shown_code, code_hash = follow_up or new_follow_up_code()
    demographics = fields.pop("demographics", None) or {}
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
        if any(demographics.values()):
            FilerDemographics.objects.create(complaint=complaint, **demographics)
        complaint_filed.send(sender=Complaint, complaint=complaint)
    return complaint, shown_code


# --- Public intake and the follow-up portal (issue 3) ---------------------------------------------------------


def attach_evidence(complaint, stored_files, *, by=None, label=None, reason="evidence added", public=False,
                    remove_metadata=False, source=EvidenceSource.COMPLAINANT, description=""):
    """Record already-stored files (complaints.evidence.StoredFile) as evidence of `complaint`.

    A filer's originals are sealed when the filer asked for location, device and author data to be removed, and
    always for an anonymous complaint: staff then work from a stripped copy (complaints.processing). Evidence staff
    gather (body-worn camera footage, reports) is not the filer's and is never sealed.
    """
    if not stored_files:
        return []
    sealed = source == EvidenceSource.COMPLAINANT and (remove_metadata or complaint.is_anonymous)
    with transaction.atomic(), recorded(by=by, label=label, reason=reason):
        items = []
        for stored in stored_files:
            evidence = Evidence(
                complaint=complaint, original_name=stored.original_name, mime_type=stored.mime_type,
                kind=stored.kind, size=stored.size, sha256=stored.sha256, submitted_by_public=public,
                submitted_by=by, original_sealed=sealed, source=source, description=description,
            )
            evidence.file.name = stored.name
            evidence.full_clean()
            evidence.save()
            items.append(evidence)
        # Scan, probe, poster and playable copy run as background jobs, sent once this transaction commits.
        queue_processing(items)
    return items


def file_public_complaint(*, stored_files=(), remove_metadata=False, **fields):
    """File a complaint from the public form with its evidence in one short transaction; (complaint, code).

    The files are already in the evidence storage: no transaction is open while bytes move.
    """
    with transaction.atomic():
        complaint, shown_code = file_complaint(label=PUBLIC_FILER, **fields)
        attach_evidence(complaint, stored_files, label=PUBLIC_FILER, reason="evidence given with the complaint",
                        public=True, remove_metadata=remove_metadata)
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
        retaliation_reported.send(sender=Complaint, complaint=complaint, report=report)
    return report


def enter_received_complaint(*, by, stored_files=(), **fields):
    """A complaint received by phone, in person, by mail or as a video, entered by staff; (complaint, code).

    The filer gets the same reference, follow-up code and receipt as online; history names who entered it.
    """
    with transaction.atomic():
        complaint, shown_code = file_complaint(by=by, reason=f"complaint entered by staff ({fields['channel']})",
                                               **fields)
        attach_evidence(complaint, stored_files, by=by, reason="evidence given with the complaint", public=True)
    return complaint, shown_code


# --- Roles are records (issue 9) -------------------------------------------------------------------------------


def record_role_change(*, before, after, by, reason, user=None, group=None):
    """Keep one change of an account's roles/status or a role's permissions (None when nothing changed).

    `before` and `after` come from complaints.roles.account_roles / role_permissions.
    """
    from .models import RoleChange
    from .roles import ACCOUNT_FLAGS, CASE_READING_ROLES

    added = sorted(set(after["roles"]) - set(before["roles"]))
    removed = sorted(set(before["roles"]) - set(after["roles"]))
    perms_added = sorted(set(after["permissions"]) - set(before["permissions"]))
    perms_removed = sorted(set(before["permissions"]) - set(after["permissions"]))
    flags = {f: [before[f], after[f]] for f in ACCOUNT_FLAGS if f in after and before.get(f) != after[f]}
    if not (added or removed or perms_added or perms_removed or flags):
        return None
    grants = bool(set(added) & set(CASE_READING_ROLES)) or flags.get("is_superuser") == [False, True] or (
        group is not None and group.name in CASE_READING_ROLES and bool(perms_added)
    ) or any(p.startswith("complaints.view_") for p in perms_added)
    with transaction.atomic(), recorded(by=by, reason=reason):
        return RoleChange.objects.create(
            user=user, group=group, roles_added=added, roles_removed=removed, permissions_added=perms_added,
            permissions_removed=perms_removed, flags_changed=flags, grants_case_access=grants, changed_by=by,
            reason=reason,
        )
