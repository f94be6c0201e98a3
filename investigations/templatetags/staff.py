"""Template access to investigations.policies, so templates ask the same rules the views enforce."""

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from investigations import policies

register = template.Library()


@register.filter
def may(user, rule):
    """{% if user|may:"can_view_board" %}: a user-level rule from investigations.policies."""
    if not rule.startswith("can_"):
        raise template.TemplateSyntaxError("Only user-level rules (can_...) are asked this way.")
    return getattr(policies, rule)(user)


@register.filter
def overdue(case):
    return case.is_overdue(timezone.now())


@register.filter
def day(moment):
    """The local date of `moment` as YYYY-MM-DD (what |date:"Y-m-d" gives, at a fraction of its cost per row)."""
    return timezone.localtime(moment).date().isoformat() if moment else ""


@register.filter
def may_export_case_file(user, investigation):
    return policies.can_export_case_file(user, investigation)


@register.filter
def prior_rows(findings):
    """The table rows of an officer's prior sustained findings (queries.PriorFinding) on the decision queue.

    Joined here with every value escaped: a page shows up to 250 of them, and a template loop (or format_html per
    row) spent a third of the page's time on them.
    """
    return mark_safe("".join(  # noqa: S308 (every value is escaped)
        f"<tr><td>{escape(f.reference)}</td><td>{escape(f.category)}</td><td>{escape(f.approved)}</td></tr>"
        for f in findings))
