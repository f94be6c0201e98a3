"""Signed chain heads, and anchors: copies of them appended to a place outside the database.

Each `ChainHead` row carries an HMAC of (table, seq, hash) under `settings.HISTORY_CHAIN_KEY`, a key kept in the
environment, never in the database: a history row forged with a correct link, or a rewritten chain with every
following link recomputed, leaves a head whose signature no longer verifies unless the forger also holds the
key. Anchors cover the holder of the key too: `anchor_history` appends every table's signed heads (one per lane
in use, see complaints.history) to a file in `HISTORY_ANCHOR_DIR` (and every export does the same);
`verify_history --anchors` checks that today's chains still contain each anchored link.
"""

import datetime
import hashlib
import hmac
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def history_key():
    """The signing key as bytes (HISTORY_CHAIN_KEY, or one derived from DJANGO_SECRET_KEY)."""
    configured = getattr(settings, "HISTORY_CHAIN_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"complaints.history-chain-key", hashlib.sha256).digest()


def key_id():
    """A short public name of the key (so an anchor says which key signed it, without revealing it)."""
    return hashlib.sha256(b"key-id:" + history_key()).hexdigest()[:12]


def head_name(table, lane=0):
    """How a lane's head is named in signatures, the export chain head and anchors: lane 0 by its table alone."""
    return table if not lane else f"{table}:{lane}"


def parse_head_name(name):
    """(table, lane) of a `head_name`."""
    table, _, lane = name.partition(":")
    return table, int(lane or 0)


def sign_head(table, seq, link, lane=0):
    message = f"{head_name(table, lane)}:{seq}:{link}"
    return hmac.new(history_key(), message.encode(), hashlib.sha256).hexdigest()


def head_signature_valid(table, seq, link, signature, lane=0):
    return hmac.compare_digest(sign_head(table, seq, link, lane=lane), signature or "")


def sign_unsigned_heads(using="default", **kwargs):
    """Sign heads written without the app (data migrations write history rows themselves); runs after migrate."""
    from .models import ChainHead

    for head in ChainHead.objects.using(using).filter(signature=""):
        ChainHead.objects.using(using).filter(pk=head.pk, signature="").update(
            signature=sign_head(head.table, head.seq, head.hash, lane=head.lane)
        )


def _anchor_mac(entry):
    body = json.dumps({k: v for k, v in entry.items() if k != "mac"}, sort_keys=True, separators=(",", ":"))
    return hmac.new(history_key(), body.encode(), hashlib.sha256).hexdigest()


def anchor_path(when=None):
    when = when or timezone.now()
    return Path(settings.HISTORY_ANCHOR_DIR) / f"anchors-{when:%Y}.jsonl"


def anchor_heads(*, reason, using="default"):
    """Append every table's signed head to this year's anchor file; return the entry written.

    The file is opened for appending only (O_APPEND), one JSON line per anchor, flushed and fsynced.
    """
    from .chain import chain_head
    from .models import ChainHead

    heads = {
        head_name(table, lane): [seq, link, signature]
        for table, lane, seq, link, signature in ChainHead.objects.using(using)
        .order_by("table", "lane")
        .values_list("table", "lane", "seq", "hash", "signature")
        if seq or not lane
    }
    entry = {
        "at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "reason": reason,
        "head": chain_head(using=using),
        "heads": heads,
        "key_id": key_id(),
    }
    entry["mac"] = _anchor_mac(entry)
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


def read_anchors():
    """[(file name, line number, entry or None if unreadable)] of every anchor file, oldest first."""
    directory = Path(settings.HISTORY_ANCHOR_DIR)
    found = []
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("anchors-*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    entry = None
                found.append((path.name, number, entry))
    return found


def anchor_mac_valid(entry):
    return isinstance(entry, dict) and hmac.compare_digest(_anchor_mac(entry), str(entry.get("mac", "")))
