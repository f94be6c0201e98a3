"""Pages of staff lists that never count the whole matching set and never skip rows with OFFSET.

Counts stop at STAFF_LIST_COUNT_UP_TO (or as far as the page asked for): a list of 200,000 cases costs what
1,000 do. Previous and Next carry the sort key of the row they continue from (`?after=` / `?before=`, keyset
pagination), so the database starts reading at that row: page 400 reached by links costs what page 2 does. A typed
`?page=N` without a key is read by offset up to STAFF_LIST_OFFSET_UP_TO skipped rows; past it, the furthest such page
is shown (with its Next link), never an error.
"""

import datetime

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import F, OrderBy, Q
from django.utils.functional import cached_property

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
INTEGER_TYPES = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                 "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}


class BoundedPaginator(Paginator):
    """A Paginator whose `count` stops at `limit` + 1; `count_is_bounded` says the real total is larger."""

    def __init__(self, object_list, per_page, *, limit, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = limit

    @cached_property
    def count(self):
        # Unordered, so PostgreSQL stops at the first `limit` + 1 matches in whatever order it finds them.
        return self.object_list.order_by()[: self.limit + 1].count()

    @property
    def count_is_bounded(self):
        return self.count > self.limit


class InvalidKey(ValueError):
    """A page link's sort key that does not fit the list's order (edited by hand, or from an older release)."""


class _Column:
    """One column of a list's order: its ORM path, direction, where its NULLs sort, and its key encoding."""

    def __init__(self, model, path, descending, nulls_first):
        self.path, self.descending = path, descending
        self.nullable = False
        for position, part in enumerate(path.split("__")):
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
            self.nullable = self.nullable or field.null
            if position < path.count("__"):
                model = field.related_model
        if self.nullable and nulls_first is None:
            # PostgreSQL sorts NULLs last, SQLite first: the order must say, or pages would differ between them.
            raise ValueError(f"order by the nullable {path!r} with nulls_first or nulls_last")
        self.nulls_first = bool(nulls_first)
        kind = (field.target_field if field.is_relation else field).get_internal_type()
        self.kind = "int" if kind in INTEGER_TYPES else kind
        if self.kind not in ("int", "BooleanField", "DateTimeField", "DateField"):
            raise ValueError(f"no page key for {path!r} ({kind})")

    def reversed(self):
        column = object.__new__(_Column)
        column.__dict__.update(self.__dict__, descending=not self.descending, nulls_first=not self.nulls_first)
        return column

    def order(self):
        if not self.nullable:
            return ("-" if self.descending else "") + self.path
        return OrderBy(F(self.path), descending=self.descending, nulls_first=self.nulls_first or None,
                       nulls_last=(not self.nulls_first) or None)

    def value_of(self, row):
        for part in self.path.split("__"):
            row = None if row is None else getattr(row, part)
        return row

    def encode(self, value):
        if value is None:
            return "n"
        if self.kind == "BooleanField":
            return "1" if value else "0"
        if self.kind == "DateTimeField":
            return str((value - EPOCH) // datetime.timedelta(microseconds=1))
        if self.kind == "DateField":
            return str(value.toordinal())
        return str(value)

    def decode(self, text):
        if text == "n" and self.nullable:
            return None
        if self.kind == "BooleanField":
            if text not in ("0", "1"):
                raise InvalidKey(text)
            return text == "1"
        try:
            number = int(text)
            if self.kind == "DateField":
                return datetime.date.fromordinal(number)
            return EPOCH + datetime.timedelta(microseconds=number) if self.kind == "DateTimeField" else number
        except (ValueError, OverflowError) as error:
            raise InvalidKey(text) from error

    def beyond(self, value):
        """The rows strictly after `value` in this column's order (not NULL), or None when there are none."""
        if self.kind == "BooleanField":
            return Q(**{self.path: not value}) if value == self.descending else None
        return Q(**{f"{self.path}__{'lt' if self.descending else 'gt'}": value})


def _rows_after(columns, values):
    """The rows after the key `values` in the order of `columns`, as a list of conditions, each selecting a run of
    consecutive rows in that order (one, except around NULLs and booleans).

    Each condition is a plain conjunction led by a bound on the order's first column, so PostgreSQL starts an index
    scan at the key instead of reading every earlier row.
    """
    column, value = columns[0], values[0]
    rest = _rows_after(columns[1:], values[1:]) if len(columns) > 1 else []
    if value is None:
        runs = [Q(**{f"{column.path}__isnull": True}) & run for run in rest]
        return runs + ([Q(**{f"{column.path}__isnull": False})] if column.nulls_first else [])
    beyond = column.beyond(value)
    if column.kind == "BooleanField" or len(rest) > 1:
        # Many rows share the value (a flag): the rows equal to it first, as a run of their own.
        runs = [Q(**{column.path: value}) & run for run in rest] + ([beyond] if beyond is not None else [])
    elif rest:
        at_or_beyond = Q(**{f"{column.path}__{'lte' if column.descending else 'gte'}": value})
        runs = [at_or_beyond & (beyond | rest[0])]
    else:
        runs = [beyond]
    if column.nullable and not column.nulls_first:
        runs.append(Q(**{f"{column.path}__isnull": True}))
    return runs


class Keyset:
    """The order of a queryset as a list of columns ending with a unique one: rows read from a position in it."""

    def __init__(self, queryset):
        order = queryset.query.order_by
        if not order:
            raise ValueError("keyset pages need an explicit order_by()")
        self.queryset = queryset
        self.columns = []
        for item in order:
            if isinstance(item, str):
                column = _Column(queryset.model, item.lstrip("-"), item.startswith("-"), None)
            elif isinstance(item, OrderBy) and isinstance(item.expression, F):
                nulls_first = True if item.nulls_first else (False if item.nulls_last else None)
                column = _Column(queryset.model, item.expression.name, item.descending, nulls_first)
            else:
                raise ValueError(f"no page key for the order {item!r}")
            self.columns.append(column)

    def key_of(self, row):
        return ".".join(column.encode(column.value_of(row)) for column in self.columns)

    def decode(self, key):
        parts = (key or "").split(".")
        if len(parts) != len(self.columns):
            raise InvalidKey(key)
        return [column.decode(part) for column, part in zip(self.columns, parts, strict=True)]

    def values_at(self, position):
        """The sort key of the row at `position` (0-based) of the list, or None when the list is shorter.

        Reads only the order's columns (no related rows, nothing prefetched), so PostgreSQL can walk the order's index
        alone up to that row (an index-only scan where the index covers them).
        """
        narrow = self.queryset.select_related(None).prefetch_related(None).values_list(
            *(column.path for column in self.columns))
        found = list(narrow[position: position + 1])
        return list(found[0]) if found else None

    def after(self, values, count):
        return self._read(self.queryset, self.columns, values, count)

    def before(self, values, count):
        """Up to `count` rows before the key, nearest first."""
        columns = [column.reversed() for column in self.columns]
        return self._read(self.queryset.order_by(*(column.order() for column in columns)), columns, values, count)

    @staticmethod
    def _read(queryset, columns, values, count):
        rows = []
        for run in _rows_after(columns, values):
            rows += queryset.filter(run)[: count - len(rows)]
            if len(rows) >= count:
                break
        return rows


class KeysetPage(Page):
    """A page read from a sort key: whether rows come before or after it is known from the read, not from a count."""

    def __init__(self, object_list, number, paginator, *, more_before, more_after):
        super().__init__(object_list, number, paginator)
        self.more_before, self.more_after = more_before, more_after

    def has_next(self):
        return self.more_after

    def has_previous(self):
        return self.more_before

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return max(1, self.number - 1)


def furthest_typed_page(per_page):
    """The furthest page a typed `?page=N` (no key) reaches: its OFFSET skips at most STAFF_LIST_OFFSET_UP_TO rows."""
    return max(1, settings.STAFF_LIST_OFFSET_UP_TO // per_page + 1)


def keyset_page(queryset, query, per_page, param="page"):
    """The page of `queryset` that `query` (request.GET) asks for through `param` and its keys (`after`, `before`,
    prefixed like `param`: `progress_page`, `progress_after`, ...).

    The page carries `next_query` and `previous_query` (query strings keeping every other parameter), and
    `key_refused` when the key did not fit (the first page is shown instead), and `typed_past`: the page number
    asked for when a typed number (no key) went past `furthest_typed_page` (that page is shown instead), else None.
    """
    prefix = param.removesuffix("page")
    after, before = query.get(f"{prefix}after"), query.get(f"{prefix}before")
    try:
        number = max(1, int(query.get(param) or 1))
    except ValueError:
        number = 1
    paginator = BoundedPaginator(queryset, per_page, limit=max(settings.STAFF_LIST_COUNT_UP_TO, number * per_page))
    keyset = Keyset(queryset)
    page, key_refused = None, False
    if after or before:
        try:
            values = keyset.decode(after or before)
        except InvalidKey:
            key_refused, number = True, 1
        else:
            if after:
                rows = keyset.after(values, per_page + 1)
                page = KeysetPage(rows[:per_page], max(2, number), paginator, more_before=True,
                                  more_after=len(rows) > per_page)
            else:
                rows = keyset.before(values, per_page + 1)
                if len(rows) > per_page:  # else this is the first page: read it from the top, full
                    page = KeysetPage(rows[:per_page][::-1], max(2, number), paginator, more_before=True,
                                      more_after=True)
                else:
                    number = 1
    typed_past = None
    if page is None:
        furthest = furthest_typed_page(per_page)
        if number > furthest:
            # A typed page number is read by OFFSET, which walks every row before it (about 14,000 complaints in
            # queue order for page 40 of triage): past the bound, the furthest typed page is shown, with Next.
            typed_past, number = number, furthest
        # The row before the page by its key alone, then the page from there by key: the same rows as OFFSET.
        values = keyset.values_at((number - 1) * per_page - 1) if number > 1 else None
        if values is not None:
            rows = keyset.after(values, per_page + 1)
            page = KeysetPage(rows[:per_page], number, paginator, more_before=True, more_after=len(rows) > per_page)
        else:
            page = paginator.get_page(number)
        if not page.has_next():
            typed_past = None  # the list ends here: its last page, as for any number past the end

    def link(**keys):
        linked = query.copy()
        for name in (param, f"{prefix}after", f"{prefix}before"):
            linked.pop(name, None)
        for name, value in keys.items():
            linked[name] = value
        return linked.urlencode()

    rows = list(page.object_list)
    page.object_list = rows
    page.key_refused = key_refused
    page.typed_past = typed_past
    page.next_query = link(**{f"{prefix}after": keyset.key_of(rows[-1]), param: page.next_page_number()}) if (
        page.has_next() and rows) else ""
    if page.has_previous() and rows and page.previous_page_number() > 1:
        page.previous_query = link(**{f"{prefix}before": keyset.key_of(rows[0]), param: page.previous_page_number()})
    else:
        page.previous_query = link()
    return page
