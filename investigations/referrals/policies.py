"""Who may reach the referral queue, export packets, close referrals and export case files."""

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


def can_export_case_file(user, investigation):
    """Supervisors for any case they can see; investigators for the cases assigned to them."""
    return case_policies.can_export_case_file(user, investigation)


def can_see_contact_details(user, investigation):
    return case_policies.can_view_contact_details(user, investigation)
