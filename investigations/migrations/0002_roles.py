from django.contrib.auth.management import create_permissions
from django.db import migrations

import complaints.dbguards

from investigations.roles import INVESTIGATIONS_PERMISSIONS


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
