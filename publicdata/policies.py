"""Who may see the live statistics and publish releases (the public sees only published releases)."""

from complaints import roles
from investigations.policies import has_any_role


def can_view_statistics(user):
    """Live, unsuppressed figures: supervisors, the chief, auditors and administrators."""
    return has_any_role(user, roles.SUPERVISOR, roles.CHIEF, roles.AUDITOR, roles.ADMINISTRATOR)


def can_publish_statistics(user):
    """Publishing (and previewing) a public release: the chief and administrators."""
    return has_any_role(user, roles.CHIEF, roles.ADMINISTRATOR)
