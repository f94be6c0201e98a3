from django.contrib.auth.management import create_permissions
from django.db import migrations

# The roles and their permissions, frozen as they stood when this migration was written (a migration never
# imports live code: a later change to the roles is a new migration).
ALL_ROLES = ["intake coordinator", "investigator", "supervisor", "chief", "POST liaison", "auditor", "administrator"]

_READ_RECORD = [
    "view_complaint", "view_party", "view_allegation", "view_officer", "view_unit", "view_category",
    "view_disposition", "view_evidence", "view_message", "view_complainttranslation",
]

COMPLAINTS_PERMISSIONS = {
    "intake coordinator": _READ_RECORD + [
        "add_complaint", "change_complaint", "triage_complaint", "add_party", "change_party",
        "add_allegation", "change_allegation", "add_complainttranslation", "view_evidence_file",
        "add_evidence",
    ],
    "investigator": _READ_RECORD + [
        "change_allegation", "add_allegation", "add_party", "change_party", "add_message",
        "add_complainttranslation", "add_evidence", "view_evidence_file",
    ],
    "supervisor": _READ_RECORD + [
        "change_complaint", "change_allegation", "add_allegation", "add_message", "view_evidence_file",
        "view_sealed_complaint", "view_record_history", "add_complainttranslation", "add_evidence",
    ],
    "chief": _READ_RECORD + ["view_sealed_complaint", "view_record_history", "view_evidence_file"],
    "POST liaison": ["view_officer", "view_unit", "view_allegation", "view_category", "view_disposition",
                     "view_complaint"],
    "auditor": _READ_RECORD + ["view_sealed_complaint", "view_record_history", "view_evidence_file"],
    "administrator": [
        "view_officer", "add_officer", "change_officer", "view_unit", "add_unit", "change_unit",
        "view_category", "add_category", "change_category", "view_disposition", "add_disposition",
        "change_disposition", "seal_complaint",
    ],
}

AUTH_PERMISSIONS = {
    "administrator": ["view_user", "add_user", "change_user", "view_group", "change_group"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        codenames = COMPLAINTS_PERMISSIONS.get(role, [])
        perms = Permission.objects.filter(content_type__app_label="complaints", codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Unknown permissions for {role}: {sorted(missing)}")
        group.permissions.add(*perms)
        auth_codenames = AUTH_PERMISSIONS.get(role, [])
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="auth", codename__in=auth_codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
