"""Small-cell suppression on hand-made tables, including tables where blanking only the small cells leaks them."""

import pytest

from publicdata import microdata
from publicdata.suppression import Extra, Table, audit, primary, suppress


def all_values(*tables):
    values = {}
    for table in tables:
        values.update(table.values())
    return values


def test_naive_suppression_of_one_small_cell_leaks_it_through_the_total():
    table = Table("channel", ["web", "phone", "mail"], ["count"], [[3], [50], [40]])
    naive = primary(table.values())
    assert naive == {"channel|web|count"}
    ranges, pinned = audit([table], naive, full=True)
    assert pinned == {"channel|web|count"}
    assert ranges["channel|web|count"] == (3, 3)


def test_complementary_suppression_protects_the_small_cell_and_keeps_the_rest():
    table = Table("channel", ["web", "phone", "mail"], ["count"], [[3], [50], [40]])
    withheld = suppress([table])
    assert withheld == {"channel|web|count", "channel|mail|count"}  # the smaller of the large cells
    ranges, pinned = audit([table], withheld, full=True)
    assert not pinned
    least, greatest = ranges["channel|web|count"]
    assert least == 0 and greatest == 43


def test_naive_suppression_in_a_two_way_table_leaks_through_row_and_column_totals():
    table = Table("t", ["a", "b", "c"], ["x", "y", "z"], [[5, 20, 30], [15, 25, 35], [12, 14, 40]])
    naive = primary(table.values())
    assert naive == {"t|a|x"}
    assert audit([table], naive)[1] == {"t|a|x"}
    withheld = suppress([table])
    assert "t|a|x" in withheld and len(withheld) >= 4  # a cycle: two rows by two columns at least
    assert not audit([table], withheld)[1]


def test_a_small_total_is_withheld_and_cannot_be_rebuilt_from_its_cells():
    table = Table("t", ["a", "b"], ["count"], [[0], [4]])
    withheld = suppress([table])
    assert {"t|b|count", "t|*|*"} <= withheld
    assert not audit([table], withheld)[1]


def test_a_quantity_shared_by_two_tables_is_protected_in_both():
    # The same "complaints received" total ends both tables; role 'anonymous' is small.
    channel = Table("channel", ["web", "phone"], ["count"], [[30], [25]], total_key="complaints|*")
    role = Table("role", ["harmed", "anonymous", "witness"], ["count"], [[30], [4], [21]], total_key="complaints|*")
    withheld = suppress([channel, role])
    assert "role|anonymous|count" in withheld
    assert not audit([channel, role], withheld)[1]
    # Withholding the shared total alone would not do: the other table still publishes it.
    only_total = primary(all_values(channel, role)) | {"complaints|*"}
    assert audit([channel, role], only_total)[1] == {"role|anonymous|count"}


def test_contradictory_published_values_are_an_error_not_a_leak():
    first = Table("a", ["x"], ["count"], [[20]], total_key="shared")
    second = Table("b", ["y"], ["count"], [[30]], total_key="shared")
    with pytest.raises(ValueError):
        suppress([first, second])


def _rows(spec):
    rows = []
    for (category, disposition, district), n in spec.items():
        rows += [{"quarter": "2026Q2", "category": category, "disposition": disposition, "district": district,
                  "band": None, "days": 40} for _ in range(n)]
    return rows


def test_allegation_file_covers_every_combination_by_at_least_k_rows():
    rows = _rows({("force", "sustained", "D1"): 14, ("force", "unfounded", "D2"): 3, ("rude", "open", "D1"): 25,
                  ("rude", "sustained", "D3"): 2, ("stop", "not-sustained", "D2"): 30})
    published, withheld, levels = microdata.generalise(rows, 11)
    assert microdata.check(published, 11)
    assert len(published) + withheld == len(rows)
    assert withheld <= 0.05 * len(rows) or all(levels[f] == len(microdata.LEVELS[f]) - 1 for f in levels)
    # The fine combination of 3 unfounded force allegations in D2 does not appear as such.
    assert not any(r["category"] == "force" and r["disposition"] == "unfounded" and r["district"] == "D2"
                   for r in published)


def test_the_allegation_file_counts_as_published_facts_for_the_auditor():
    # Table: category x disposition. The allegation file publishes (category, disposition) counts exactly.
    table = Table("alleg", ["force", "rude"], ["sustained", "open"], [[4, 20], [15, 22]],
                  keys=[[f"alleg|{c}|{d}" for d in ("sustained", "open")] for c in ("force", "rude")],
                  row_total_keys=["alleg|force|*", "alleg|rude|*"],
                  col_total_keys=["alleg|*|sustained", "alleg|*|open"], total_key="alleg|*|*")
    withheld = suppress([table])
    assert not audit([table], withheld)[1]
    # If the file then showed 4 force/sustained rows and no row was withheld, the table's blank is given away.
    published = ([{"category": "force", "disposition": "sustained"}] * 4
                 + [{"category": "force", "disposition": "open"}] * 20
                 + [{"category": "rude", "disposition": "sustained"}] * 15
                 + [{"category": "rude", "disposition": "open"}] * 22)
    levels = {"category": 0, "disposition": 0}
    extra = Extra(microdata.allegation_constraints(published, 0, levels, table))
    assert "alleg|force|sustained" in audit([table], withheld, extra)[1]
