"""Reading and checking the history hash chains (writing them is complaints.history.HistoryChain.save)."""

import hashlib
from dataclasses import dataclass, field

from django.apps import apps

from .history import GENESIS, HistoryChain, row_digest


def history_models():
    """Every history model of every app, in a stable order."""
    found = [m for m in apps.get_models() if issubclass(m, HistoryChain)]
    return sorted(found, key=lambda m: m._meta.db_table)


def chain_head(using="default"):
    """One SHA-256 over every table's newest link: printed on exports so they can be checked later."""
    from .models import ChainHead

    links = ChainHead.objects.using(using).order_by("table").values_list("table", "seq", "hash")
    digest = hashlib.sha256()
    for table, seq, link in links:
        digest.update(f"{table}:{seq}:{link}\n".encode())
    return digest.hexdigest()


@dataclass
class ChainReport:
    rows_checked: int = 0
    tables_checked: int = 0
    breaks: list = field(default_factory=list)
    head: str = ""


def verify_table(model, using="default"):
    """(rows checked, first problem or None) for one history table."""
    from .models import ChainHead

    table = model._meta.db_table
    expected_seq, prev_hash, prev_id, rows = 1, GENESIS, None, 0
    for row in model._base_manager.using(using).order_by("chain_seq", "history_id").iterator(chunk_size=2000):
        rows += 1
        where = f"{table} history_id={row.history_id}"
        if row.chain_seq is None or row.chain_seq != expected_seq:
            if row.chain_seq is not None and row.chain_seq > expected_seq:
                return rows, f"{where}: rows {expected_seq}..{row.chain_seq - 1} of the chain are missing"
            return rows, f"{where}: sequence {row.chain_seq} where {expected_seq} was expected"
        if row.chain_prev != prev_hash:
            return rows, f"{where}: does not link to the row before it (removed or reordered rows)"
        if prev_id is not None and row.history_id <= prev_id:
            return rows, f"{where}: out of order (history ids reordered)"
        if row_digest(row) != row.chain_hash:
            return rows, f"{where}: content altered (hash mismatch)"
        expected_seq, prev_hash, prev_id = expected_seq + 1, row.chain_hash, row.history_id
    head = ChainHead.objects.using(using).filter(table=table).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        return rows, (
            f"{table} after history_id={prev_id}: the chain head says row {head_seq} is the newest but "
            f"the table ends at row {expected_seq - 1} (newest rows removed)"
        )
    return rows, None


def verify_all(using="default"):
    report = ChainReport()
    for model in history_models():
        rows, problem = verify_table(model, using=using)
        report.rows_checked += rows
        report.tables_checked += 1
        if problem:
            report.breaks.append(problem)
    report.head = chain_head(using=using)
    return report
