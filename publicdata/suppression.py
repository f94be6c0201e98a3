"""Small-cell suppression that holds: primary suppression of counts 1..threshold-1, complementary suppression
until the auditor can pin no withheld cell, and the auditor itself.

A release is a set of tables whose cells are *quantities*. The same quantity may appear in several tables
(every complaints-by-X table ends in the same "complaints received" total; the bias row of the allegations table is
the column-total row of the bias table), so a cell is identified by a quantity key, and one key is one unknown.
Every table adds its additivity equations (cells of a row sum to the row total, and so on). The auditor is the
attacker: it knows every published value, every equation, that no count is negative, and any extra linear facts
the release publishes (see `extra` in `audit`). Zeros are usually shown, but a zero may be withheld as a complement,
so "withheld" does not say "not zero". For each withheld quantity it solves two linear programs, the least and the
greatest value it can take; a withheld count from 1 to threshold-1 whose least and greatest meet is pinned, and the
release leaks it. (A pinned complement of 0 or of threshold or more reveals nothing the rule protects.) The tables
here (margins of cross-classifications) have totally unimodular equations, so the linear bounds are the integer
bounds.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

DEFAULT_THRESHOLD = 11


@dataclass
class Table:
    """A count table: `cells[r][c]` with row totals, column totals and a grand total, each a quantity key.

    A one-column table (counts by channel, by district...) has `cols == ["count"]`; its row totals are its cells.
    """

    id: str
    rows: list
    cols: list
    cells: list  # values, rows x cols
    keys: list = None  # quantity keys, rows x cols (default: "<id>|<row>|<col>")
    row_total_keys: list = None
    col_total_keys: list = None
    total_key: str = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.keys is None:
            self.keys = [[f"{self.id}|{r}|{c}" for c in self.cols] for r in self.rows]
        one_column = len(self.cols) == 1
        if self.row_total_keys is None:
            self.row_total_keys = [row[0] for row in self.keys] if one_column else [
                f"{self.id}|{r}|*" for r in self.rows]
        if self.col_total_keys is None:
            self.col_total_keys = [self.total_key or f"{self.id}|*|*"] if one_column else [
                f"{self.id}|*|{c}" for c in self.cols]
        if self.total_key is None:
            self.total_key = f"{self.id}|*|*"

    @property
    def one_column(self):
        return len(self.cols) == 1

    def values(self):
        """{quantity key: value} for every cell and margin of this table."""
        out = {}
        for r, row in enumerate(self.cells):
            for c, value in enumerate(row):
                out[self.keys[r][c]] = value
        for r, row in enumerate(self.cells):
            out[self.row_total_keys[r]] = sum(row)
        for c in range(len(self.cols)):
            out[self.col_total_keys[c]] = sum(row[c] for row in self.cells)
        out[self.total_key] = sum(sum(row) for row in self.cells)
        return out

    def equations(self):
        """Each as (quantity key of the sum, [keys of the parts])."""
        eqs = []
        if not self.one_column:
            for r in range(len(self.rows)):
                eqs.append((self.row_total_keys[r], list(self.keys[r])))
            for c in range(len(self.cols)):
                eqs.append((self.col_total_keys[c], [self.keys[r][c] for r in range(len(self.rows))]))
            eqs.append((self.total_key, list(self.row_total_keys)))
            # Implied by the others, but it lets complementary suppression see that column totals add up too.
            eqs.append((self.total_key, list(self.col_total_keys)))
        else:
            eqs.append((self.total_key, [self.keys[r][0] for r in range(len(self.rows))]))
        return [(total, parts) for total, parts in eqs if parts]


def _consistent_values(tables):
    values = {}
    for table in tables:
        for key, value in table.values().items():
            if key in values and values[key] != value:
                raise ValueError(f"quantity {key} has two values in the release: {values[key]} and {value}")
            values[key] = value
    return values


def primary(values, threshold=DEFAULT_THRESHOLD):
    """Keys whose count is 1..threshold-1: withheld whatever else happens."""
    return {key for key, value in values.items() if 0 < value < threshold}


@dataclass
class Extra:
    """A further linear fact an attacker can read from the same release (e.g. from the allegation-level file):
    sum(parts) + slack == value, with slack >= 0 unknown, and the slacks of one group summing to a published value.
    """

    groups: list  # [(slack total: a published value, or None when withheld), [(parts keys, published count)])]
    withheld_total_bounds: tuple = (1, None)  # what an attacker knows of a withheld slack total


def audit(tables, withheld, extra=None, threshold=DEFAULT_THRESHOLD, full=False):
    """The pinned keys (withheld counts from 1 to threshold-1 whose value can be worked out), and the range
    {key: (least, greatest)} an attacker can derive: for every withheld key with `full`, else only for keys whose
    range had to be computed in full.

    Raises ValueError when the published values contradict the equations (a bug in the release, not a leak).
    """
    values = _consistent_values(tables)
    withheld = set(withheld)
    unknown = sorted(withheld)
    index = {key: i for i, key in enumerate(unknown)}
    slack_groups = extra.groups if extra else []
    n_slack = sum(len(items) + (total is None) for total, items in slack_groups)
    n = len(unknown) + n_slack
    if not unknown:
        return {}, set()
    a_eq, b_eq = [], []

    def add_equation(coefficients, constant):
        # sum(coefficient * unknown) == constant; equations with no unknown are only checked.
        if not any(coefficients.values()):
            if abs(constant) > 1e-9:
                raise ValueError("the published values contradict the table's totals")
            return
        row = np.zeros(n)
        for i, coefficient in coefficients.items():
            row[i] += coefficient
        a_eq.append(row)
        b_eq.append(constant)

    for table in tables:
        for total, parts in table.equations():
            coefficients, constant = {}, 0.0
            for key, sign in [(total, -1.0)] + [(p, 1.0) for p in parts]:
                if key in index:
                    coefficients[index[key]] = coefficients.get(index[key], 0.0) + sign
                else:
                    constant -= sign * values[key]
            add_equation(coefficients, constant)
    slack_at = len(unknown)
    for slack_total, items in slack_groups:
        group_slacks = []
        for parts, published in items:
            coefficients, constant = {slack_at: -1.0}, float(published)
            for key in parts:
                if key in index:
                    coefficients[index[key]] = coefficients.get(index[key], 0.0) + 1.0
                else:
                    constant -= values[key]
            # sum(parts) - slack == published
            add_equation(coefficients, constant)
            group_slacks.append(slack_at)
            slack_at += 1
        if slack_total is None:
            # sum(slacks) - unknown total == 0
            add_equation({**{i: 1.0 for i in group_slacks}, slack_at: -1.0}, 0.0)
            slack_at += 1
        else:
            add_equation({i: 1.0 for i in group_slacks}, float(slack_total))
    bounds = [(0, None)] * len(unknown)
    for slack_total, items in slack_groups:
        bounds += [(0, None)] * len(items)
        if slack_total is None:
            bounds.append(extra.withheld_total_bounds)
    a = np.array(a_eq) if a_eq else None
    b = np.array(b_eq) if b_eq else None
    ranges, pinned = {}, set()
    for key, i in index.items():
        sensitive = 0 < values[key] < threshold
        if not (sensitive or full):
            continue
        c = np.zeros(n)
        c[i] = 1.0
        high = linprog(-c, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        if high.status == 2:
            raise ValueError("the published values contradict the table's totals")
        greatest = -high.fun if high.status == 0 else float("inf")  # status 3: unbounded
        if not full and greatest > values[key] + 0.5:
            continue  # the true value is feasible, so a larger one means it is not pinned
        low = linprog(c, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        least = low.fun if low.status == 0 else 0.0
        ranges[key] = (least, greatest)
        if greatest - least < 0.5 and sensitive:
            pinned.add(key)
    return ranges, pinned


def suppress(tables, threshold=DEFAULT_THRESHOLD, extra=None):
    """The withheld keys: primary cells, then complements until nothing withheld can be pinned.

    A complement is the smallest published part (a zero first: it costs the reader nothing) of an equation around
    a pinned quantity, or its total; when every equation around it is already withheld, the smallest published
    quantity one equation further away. Raises RuntimeError when nothing more can be withheld.
    """
    values = _consistent_values(tables)
    withheld = primary(values, threshold)
    equations = [[total] + parts for table in tables for total, parts in table.equations()]
    if extra:
        equations += [parts for _total, items in extra.groups for parts, _published in items]

    def smallest(keys, exclude):
        choices = [k for k in keys if k not in withheld and k != exclude]
        return min(choices, key=lambda k: (values[k], k)) if choices else None

    while True:
        _ranges, pinned = audit(tables, withheld, extra, threshold)
        if not pinned:
            return withheld
        added = False
        for key in sorted(pinned):
            around = sorted((eq for eq in equations if key in eq), key=lambda eq: sum(m in withheld for m in eq))
            choice = next((c for c in (smallest(eq, key) for eq in around) if c is not None), None)
            if choice is None:
                members = {m for eq in around for m in eq}
                further = {m for eq in equations if members.intersection(eq) for m in eq}
                choice = smallest(further, key)
            if choice is not None:
                withheld.add(choice)
                added = True
        if not added:
            raise RuntimeError(f"suppression could not protect {sorted(pinned)}")
