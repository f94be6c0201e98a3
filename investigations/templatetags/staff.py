"""Template access to investigations.policies, so templates ask the same rules the views enforce."""

from django import template
from django.utils import timezone

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
