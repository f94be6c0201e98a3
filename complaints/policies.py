"""Who may see the record's own audit pages (case-level rules live in investigations.policies)."""

from .roles import ADMINISTRATOR, AUDITOR, has_role


def can_see_role_grants(user):
    """Auditors (and administrators) see every grant of a role that reads cases."""
    return has_role(user, AUDITOR, ADMINISTRATOR)
