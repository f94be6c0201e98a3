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


# Roles whose members can read complaints (and so every case their policy allows): each grant is shown to
# auditors (complaints.views.role_grants).
# (The roles the complaints migrations give `view_complaint`.)
CASE_READING_ROLES = [INTAKE_COORDINATOR, INVESTIGATOR, SUPERVISOR, CHIEF, AUDITOR]
ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def account_roles(user):
    """The role-relevant state of an account, to compare before and after a change."""
    if user is None or user.pk is None:
        return {"roles": [], "permissions": [], **{flag: False for flag in ACCOUNT_FLAGS}}
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
        **{flag: bool(getattr(user, flag)) for flag in ACCOUNT_FLAGS},
    }


def role_permissions(group):
    if group is None or group.pk is None:
        return {"roles": [], "permissions": []}
    return {
        "roles": [],
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list("content_type__app_label", "codename")
        ),
    }
