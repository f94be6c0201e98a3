"""Who may reach the referral queue, export packets and close referrals."""



def can_work_queue(user):
    """The POST liaison: exports packets, records sending and acknowledgement."""
    return user.is_authenticated and user.has_perm("referrals.work_referral")


def can_close(user):
    """A supervisor closes a referral that does not apply (with a reason)."""
    return user.is_authenticated and user.has_perm("referrals.close_referral")


def can_view_queue(user):
    return can_work_queue(user) or can_close(user)
