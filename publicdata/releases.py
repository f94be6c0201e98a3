"""Turning a period's figures into a public release: suppress, audit, freeze, hash.

`preview` computes what would be published (nothing is written); `publish` writes it as an immutable `Release`
with one `ReleaseFile` per download, each with its SHA-256, and the history chain head at publication.
"""

import csv
import hashlib
import io
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaints.anchors import anchor_heads
from complaints.chain import chain_head
from complaints.history import recorded

from . import microdata, tables
from .exceptions import AlreadyPublished, PeriodNotOver, SuppressionFailed
from .models import Release, ReleaseFile
from .suppression import Extra, audit, suppress


def threshold_setting():
    return int(getattr(settings, "PUBLIC_DATA_THRESHOLD", 11))


def preview(period, *, threshold=None):
    """The release `period` would publish now, as a dict (tables, allegation rows, audit), without writing."""
    threshold = threshold or threshold_setting()
    kind, start, end = tables.period_bounds(period)
    figures = tables.Figures(start, end)
    count_tables = figures.count_tables()
    rows = figures.allegation_rows()
    for row in rows:
        row["quarter"] = tables.quarter_of(row["received"].date())
    published_rows, withheld_rows, levels = microdata.generalise(rows, threshold)
    allegations = next(t for t in count_tables if t.id == "allegations")
    shown_withheld = microdata.published_withheld_count(withheld_rows, threshold)
    extra = Extra(microdata.allegation_constraints(published_rows, shown_withheld, levels, allegations),
                  withheld_total_bounds=(1, threshold - 1))
    withheld = suppress(count_tables, threshold, extra)
    ranges, pinned = audit(count_tables, withheld, extra, threshold)
    if pinned or not microdata.check(published_rows, threshold):
        raise SuppressionFailed(sorted(pinned))
    labels = tables.column_labels()
    serialised = [tables.serialise(t, withheld, labels) for t in count_tables]
    serialised.append(tables.time_to_close_table(figures.time_to_close(), threshold))
    return {
        "period": period.upper(),
        "kind": kind,
        "start": start,
        "end": end,
        "threshold": threshold,
        "tables": serialised,
        "allegation_rows": published_rows,
        "allegation_rows_withheld": shown_withheld,
        "generalisation": levels,
        "withheld": len(withheld),
        "ranges": ranges,
    }


def table_csv(table):
    """A published table as CSV: message-id labels in English, empty cells for withheld values."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table["row_header"]] + [c["label"] for c in table["cols"]]
                    + (["Total"] if table["row_totals"] is not None and len(table["cols"]) > 1 else []))
    for r, row in enumerate(table["rows"]):
        cells = ["" if v is None else v for v in table["cells"][r]]
        if table["row_totals"] is not None and len(table["cols"]) > 1:
            cells.append("" if table["row_totals"][r] is None else table["row_totals"][r])
        writer.writerow([row["label"]] + cells)
    if table["col_totals"] is not None:
        totals = ["" if v is None else v for v in table["col_totals"]]
        if len(table["cols"]) > 1:
            totals.append("" if table["total"] is None else table["total"])
        writer.writerow(["Total"] + totals)
    return out.getvalue()


def allegations_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=microdata.FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def release_json(data, head):
    document = {
        "period": data["period"],
        "kind": data["kind"],
        "period_start": data["start"].isoformat(),
        "period_end": data["end"].isoformat(),
        "suppression": {
            "threshold": data["threshold"],
            "rule": "Counts from 1 to threshold-1 are withheld (null); further counts are withheld so that no "
                    "withheld count can be worked out from totals, other tables or the allegation-level file.",
        },
        "chain_head": head,
        "tables": data["tables"],
        "allegation_level": {
            "fields": microdata.FIELDS,
            "generalisation": data["generalisation"],
            "rows_withheld": data["allegation_rows_withheld"],
            "rows": data["allegation_rows"],
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)


def files_of(data, head):
    """[(name, content type, text)] of every download of a release."""
    files = [(f"{t['id']}.csv", "text/csv", table_csv(t)) for t in data["tables"]]
    files.append(("allegation-level.csv", "text/csv", allegations_csv(data["allegation_rows"])))
    files.append(("release.json", "application/json", release_json(data, head)))
    return files


def publish(period, *, by=None, label=None, change_note="", threshold=None):
    """Publish `period` as a new release; a period already published needs a change note (a correction)."""
    _kind, _start, end = tables.period_bounds(period)
    if end >= timezone.localdate():
        raise PeriodNotOver(period.upper())
    data = preview(period, threshold=threshold)
    with transaction.atomic(), recorded(by=by, label=label, reason=f"statistics for {data['period']} published"):
        earlier = Release.objects.select_for_update().filter(period=data["period"]).order_by("-published_at").first()
        if earlier is not None and not change_note.strip():
            raise AlreadyPublished(data["period"])
        head = chain_head()
        release = Release(
            period=data["period"], kind=data["kind"], period_start=data["start"], period_end=data["end"],
            threshold=data["threshold"], tables=json.loads(json.dumps(data["tables"])),
            allegation_rows=data["allegation_rows"], allegation_rows_withheld=data["allegation_rows_withheld"],
            generalisation=data["generalisation"], chain_head=head, published_at=timezone.now(),
            published_by=by, corrects=earlier, change_note=change_note.strip(),
        )
        release.full_clean()
        release.save()
        for name, content_type, text in files_of(data, head):
            ReleaseFile.objects.create(release=release, name=name, content_type=content_type, content=text,
                                       sha256=hashlib.sha256(text.encode()).hexdigest())
        # The chain head printed on the release is also anchored outside the database (issue 9).
        transaction.on_commit(lambda: anchor_heads(reason=f"statistics release {release.period}"), robust=True)
    return release


def changed_tables(release):
    """Ids of the tables whose published values differ from the release `release` corrects."""
    if release.corrects_id is None:
        return []
    before = {t["id"]: t for t in release.corrects.tables}
    return [t["id"] for t in release.tables if before.get(t["id"]) != t]
