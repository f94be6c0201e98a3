"""Who may see a filer's notice address: nobody on the staff side.

The address exists only so the system can send "there is news"; no staff role reads it, so it is never a reason
for anyone to learn who an anonymous filer is. The only reader is notices.services, sending a notice.
"""


def may_see_notice_address(user):
    """No staff member, whatever their role, sees a notice address (administrators included)."""
    return False
