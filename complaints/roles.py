"""The staff roles (Django groups) and what each may do with the record.

Object-level rules (which case a user may see) live in investigations.policies; this module only names
the roles. Their model permissions are written, as literals, by each app's roles migration.
"""

INTAKE_COORDINATOR = "intake coordinator"
INVESTIGATOR = "investigator"
SUPERVISOR = "supervisor"
CHIEF = "chief"
POST_LIAISON = "POST liaison"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"

ALL_ROLES = [INTAKE_COORDINATOR, INVESTIGATOR, SUPERVISOR, CHIEF, POST_LIAISON, AUDITOR, ADMINISTRATOR]


def has_role(user, *roles):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles).exists()


def roles_of(user):
    if not user.is_authenticated:
        return []
    return list(user.groups.order_by("name").values_list("name", flat=True))
