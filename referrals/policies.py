"""Who may reach the referral queue, export packets and close referrals.

A referral belongs to a case: the case's exclusion of its accused and witness officers applies to it
(investigations.policies.without_own_cases), whatever the user's role.
"""

from investigations import policies as case_policies


def can_work_queue(user):
    """The POST liaison: exports packets, records sending and acknowledgement."""
    return user.is_authenticated and user.has_perm("referrals.work_referral")


def can_close(user):
    """A supervisor closes a referral that does not apply (with a reason)."""
    return user.is_authenticated and user.has_perm("referrals.close_referral")


def can_view_queue(user):
    # The rule (liaison, supervisors, and the auditor read-only) lives with every other rule in one place.
    return case_policies.can_read_referrals(user)


def visible_referrals(user, queryset=None):
    """The referrals `user` may see: the queue's roles, never a referral of a case they are an officer in."""
    from investigations.models import Investigation

    from .models import Referral

    qs = Referral.objects.all() if queryset is None else queryset
    if not can_view_queue(user):
        return qs.none()
    return qs.filter(investigation__in=case_policies.without_own_cases(user, Investigation.objects.all()))


def can_view_referral(user, referral):
    return visible_referrals(user).filter(pk=referral.pk).exists()


def can_close_referral(user, referral):
    """A supervisor closes a referral not yet sent, or one already sent whose rules are no longer met."""
    return can_close(user) and referral.is_closable() and can_view_referral(user, referral)
