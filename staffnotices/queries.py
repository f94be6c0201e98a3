"""Reads of staff notifications: only those about cases (and referrals) the person may still see."""

from django.db.models import Q
from django.utils import timezone

from investigations import policies
from investigations import queries as case_queries

from .models import StaffNotification


def visible_notifications(user):
    """`user`'s own notifications, minus those about a case they may no longer see (reassigned away, sealed, or
    one they turned out to be an officer in); referral notifications while they may read referrals."""
    cases = policies.visible_investigations(user).values("pk")
    rule = Q(referral__isnull=True, investigation__in=cases)
    if policies.can_read_referrals(user):
        rule |= Q(referral__isnull=False)
    qs = StaffNotification.objects.filter(recipient=user).filter(rule)
    return policies.without_excluded_cases(user, qs)


def unread_count(user):
    """The bell's number on every staff page. Mostly nothing is unread: that is answered from the index
    staffnotice_unread alone, and the visibility rule (a query PostgreSQL takes about a millisecond to plan, on
    every page) is asked only when something is."""
    if not StaffNotification.objects.filter(recipient=user).unread().exists():
        return 0
    return visible_notifications(user).unread().count()


def overdue_items(user, today=None):
    """[(label, count)] of what is overdue in `user`'s work, for the daily digest (only the lists of their role)."""
    from django.apps import apps
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    items = []
    if policies.can_view_caseload(user):
        items.append((_("Overdue tasks"), case_queries.my_tasks(user).filter(due_on__lt=today).count()))
        items.append((_("Overdue cases"),
                      policies.visible_investigations(user).open().assigned_to(user).overdue().count()))
    if policies.can_view_board(user):
        items.append((_("Overdue reviews"), case_queries.awaiting_review(user).overdue().count()))
    if policies.can_view_decision_queue(user):
        items.append((_("Overdue discipline decisions"), case_queries.awaiting_decision(user).overdue().count()))
    if policies.can_work_referrals(user):
        referrals = policies.without_excluded_cases(user, apps.get_model("referrals", "Referral").objects.all())
        items.append((_("Overdue POST referrals"), referrals.overdue(today).count()))
    return [(label, count) for label, count in items if count]
