from django.contrib.auth.management import create_permissions
from django.db import migrations

import complaints.dbguards

# The workflow's model permissions per role, frozen as they stood when this migration was written (a migration
# never imports live code: a later change to the roles is a new migration).
_READ = [
    "view_investigation", "view_finding", "view_review", "view_interview", "view_note", "view_task",
    "view_assignment", "view_witnessofficer", "view_retaliationcheck", "view_retaliationcheckentry",
    "view_encounterlog", "view_disciplinedecision", "view_officerseparation", "view_deadlinepolicy",
]

INVESTIGATIONS_PERMISSIONS = {
    "intake coordinator": ["view_investigation", "triage_investigation", "assign_investigation"],
    "investigator": _READ + ["work_investigation", "record_separation"],
    "supervisor": _READ + [
        "triage_investigation", "assign_investigation", "review_investigation", "record_separation",
    ],
    "chief": _READ + ["decide_discipline", "record_separation"],
    "POST liaison": ["view_investigation", "view_finding", "view_disciplinedecision", "view_officerseparation"],
    "auditor": list(_READ),
    "administrator": ["view_deadlinepolicy", "add_deadlinepolicy", "change_deadlinepolicy",
                      "view_encounterlog", "add_encounterlog"],
}


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("investigations")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in INVESTIGATIONS_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="investigations", codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Unknown permissions for {role}: {sorted(missing)}")
        group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("investigations", "0001_initial"),
        ("complaints", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(add_permissions, migrations.RunPython.noop),
        complaints.dbguards.GuardAppTables(),
    ]
