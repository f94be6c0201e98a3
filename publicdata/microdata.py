"""The de-identified allegation-level file: every combination of its fields covers at least `k` allegations.

Fields are generalised together, one step at a time (a coarser days-to-close band, then discipline as yes/no,
district as "all", ...), choosing at each step the step that leaves the fewest allegations in combinations smaller
than `k`; when no step is left, or few enough remain, the allegations still in small combinations are withheld and
counted. The steps taken are published with the file.
"""

from collections import Counter

# Labels are stored untranslated in releases and translated when shown: `_` marks them for the catalogs only.
from django.utils.translation import gettext_noop as _

ALL = "*"
DAYS_BANDS = [(0, 30, "0-30"), (31, 90, "31-90"), (91, 180, "91-180"), (181, 365, "181-365"), (366, None, "366+")]
SUSTAINED = "sustained"

FIELDS = ["quarter", "category", "district", "disposition", "discipline", "days_to_close"]
FIELD_LABELS = {
    "quarter": _("Quarter received"),
    "category": _("Category"),
    "district": _("District"),
    "disposition": _("Finding"),
    "discipline": _("Discipline band"),
    "days_to_close": _("Days to close (band)"),
}


def _days_fine(days):
    if days is None:
        return "open"
    for low, high, label in DAYS_BANDS:
        if days >= low and (high is None or days <= high):
            return label
    return "open"


def _days_coarse(days):
    if days is None:
        return "open"
    return "0-180" if days <= 180 else "181+"


def _disposition_coarse(value):
    if value == SUSTAINED:
        return SUSTAINED
    return value if value in ("open", "referred") else "not-sustained-or-other"


# Per field: the generalisation levels, finest first; each a function of the allegation row.
LEVELS = {
    "quarter": [lambda r: r["quarter"], lambda r: r["quarter"][:4]],
    "category": [lambda r: r["category"], lambda r: ALL],
    "district": [lambda r: r["district"] or "not_given", lambda r: ALL],
    "disposition": [lambda r: r["disposition"], lambda r: _disposition_coarse(r["disposition"]), lambda r: ALL],
    "discipline": [lambda r: r["band"] or "", lambda r: "yes" if r["band"] not in (None, "none") else "no",
                   lambda r: ALL],
    "days_to_close": [lambda r: _days_fine(r["days"]), lambda r: _days_coarse(r["days"]), lambda r: ALL],
}
# Which fields may be generalised first when two steps help equally: the least useful detail goes first.
PREFERENCE = ["days_to_close", "discipline", "district", "quarter", "disposition", "category"]
ACCEPTABLE_WITHHELD_SHARE = 0.05


def _level_values(rows):
    """{field: [[value of each row] for each level]}: every generalisation computed once, not once per trial."""
    return {f: [[level(r) for r in rows] for level in LEVELS[f]] for f in FIELDS}


def _project(values, levels):
    return list(zip(*(values[f][levels[f]] for f in FIELDS), strict=True))


def _small(values, levels, k):
    combos = Counter(_project(values, levels))
    return sum(n for n in combos.values() if n < k)


def generalise(rows, k):
    """(published rows as dicts, number withheld, levels used) for allegation rows from `Figures`."""
    levels = {f: 0 for f in FIELDS}
    if not rows:
        return [], 0, levels
    values = _level_values(rows)
    small = _small(values, levels, k)
    while small > ACCEPTABLE_WITHHELD_SHARE * len(rows):
        best = None
        for field in PREFERENCE:
            if levels[field] + 1 >= len(LEVELS[field]):
                continue
            trial = {**levels, field: levels[field] + 1}
            left = _small(values, trial, k)
            if best is None or left < best[0]:
                best = (left, trial)
        if best is None:
            break
        small, levels = best
    projected = _project(values, levels)
    combos = Counter(projected)
    published = [dict(zip(FIELDS, p, strict=True)) for p in projected if combos[p] >= k]
    published.sort(key=lambda r: tuple(r[f] for f in FIELDS))
    return published, len(rows) - len(published), levels


def check(published, k):
    """True when every combination of the published rows covers at least k of them."""
    combos = Counter(tuple(r[f] for f in FIELDS) for r in published)
    return all(n >= k for n in combos.values())


def allegation_constraints(published, withheld, levels, allegations_table):
    """The linear facts an attacker reads from the file about the allegations table (category x disposition):
    for each published (category, disposition) group, the cells it covers sum to the rows published plus an unknown
    number of withheld rows, and the withheld rows add up to the published withheld count.

    Returns the `Extra` groups for `publicdata.suppression.audit` (only the quarter being released is covered).
    """
    category_level, disposition_level = levels["category"], levels["disposition"]
    counts = Counter((r["category"], r["disposition"]) for r in published)
    groups = {}
    for row_key in allegations_table.rows:
        for col_key in allegations_table.cols:
            cat = row_key if category_level == 0 else ALL
            disp = [col_key, _disposition_coarse(col_key), ALL][disposition_level]
            groups.setdefault((cat, disp), []).append(f"alleg|{row_key}|{col_key}")
    items = [(parts, counts.get(group, 0)) for group, parts in groups.items()]
    return [(withheld, items)]


def published_withheld_count(withheld, k):
    """The number of withheld rows as published: itself, or None (withheld too) when it is from 1 to k-1."""
    return None if 0 < withheld < k else withheld
