from django.contrib.auth.management import create_permissions
from django.db import migrations

from complaints.roles import ALL_ROLES, AUTH_PERMISSIONS, COMPLAINTS_PERMISSIONS


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
