"""The staff roles (Django groups) and what each may do with the record.

Object-level rules (which case a user may see) live in investigations.policies; this module only names
the roles and their model permissions, which the migrations install.
"""

INTAKE_COORDINATOR = "intake coordinator"
INVESTIGATOR = "investigator"
SUPERVISOR = "supervisor"
CHIEF = "chief"
POST_LIAISON = "POST liaison"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"

ALL_ROLES = [INTAKE_COORDINATOR, INVESTIGATOR, SUPERVISOR, CHIEF, POST_LIAISON, AUDITOR, ADMINISTRATOR]

_READ_RECORD = [
    "view_complaint", "view_party", "view_allegation", "view_officer", "view_unit", "view_category",
    "view_disposition", "view_evidence", "view_message", "view_complainttranslation",
]

# Permissions in the complaints app, by role. Other apps add theirs in their own migrations.
COMPLAINTS_PERMISSIONS = {
    INTAKE_COORDINATOR: _READ_RECORD + [
        "add_complaint", "change_complaint", "triage_complaint", "add_party", "change_party",
        "add_allegation", "change_allegation", "add_complainttranslation", "view_evidence_file",
        "add_evidence",
    ],
    INVESTIGATOR: _READ_RECORD + [
        "change_allegation", "add_allegation", "add_party", "change_party", "add_message",
        "add_complainttranslation", "add_evidence", "view_evidence_file",
    ],
    SUPERVISOR: _READ_RECORD + [
        "change_complaint", "change_allegation", "add_allegation", "add_message", "view_evidence_file",
        "view_sealed_complaint", "view_record_history", "add_complainttranslation", "add_evidence",
    ],
    CHIEF: _READ_RECORD + ["view_sealed_complaint", "view_record_history", "view_evidence_file"],
    POST_LIAISON: ["view_officer", "view_unit", "view_allegation", "view_category", "view_disposition",
                   "view_complaint"],
    AUDITOR: _READ_RECORD + ["view_sealed_complaint", "view_record_history", "view_evidence_file"],
    ADMINISTRATOR: [
        "view_officer", "add_officer", "change_officer", "view_unit", "add_unit", "change_unit",
        "view_category", "add_category", "change_category", "view_disposition", "add_disposition",
        "change_disposition", "seal_complaint",
    ],
}


# The administrator manages staff accounts (never deleting them) and nothing else in auth.
AUTH_PERMISSIONS = {
    ADMINISTRATOR: ["view_user", "add_user", "change_user", "view_group", "change_group"],
}


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
CASE_READING_ROLES = [
    name for name, codenames in COMPLAINTS_PERMISSIONS.items() if "view_complaint" in codenames
]
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
