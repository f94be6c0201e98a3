"""Pages of staff lists that never count the whole matching set (a list of 200,000 cases costs what 1,000 do)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


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


def bounded_page(queryset, number, per_page):
    """Page `number` of `queryset`, counting just far enough to know whether a next page exists."""
    try:
        wanted = max(1, int(number))
    except (TypeError, ValueError):
        wanted = 1
    limit = max(settings.STAFF_LIST_COUNT_UP_TO, wanted * per_page)
    return BoundedPaginator(queryset, per_page, limit=limit).get_page(number)
