from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here (migrations never import live role tables): the administrator lifts lockouts and resets lost
# authenticators in the admin; nobody else sees sign-in records.
ADMINISTRATOR = "administrator"
PERMISSIONS = {
    "axes": ["view_accessattempt", "view_accesslog", "view_accessfailurelog"],
    "otp_totp": ["view_totpdevice", "change_totpdevice"],
}


def add_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    for app_label, codenames in PERMISSIONS.items():
        # Permissions are normally created after all migrations; the role needs them now.
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
        perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        if perms.count() != len(codenames):
            raise RuntimeError(f"Missing {app_label} permissions for {ADMINISTRATOR}")
        group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("complaints", "0002_roles"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
