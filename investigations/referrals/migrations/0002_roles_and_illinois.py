import datetime

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

import complaints.dbguards
from complaints.history import row_digest
from investigations.referrals.roles import REFERRALS_PERMISSIONS
from investigations.referrals.seed import ILLINOIS

REASON = "Illinois referral rules (50 ILCS 705/9.2) seeded"


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("referrals")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in REFERRALS_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="referrals", codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Unknown permissions for {role}: {sorted(missing)}")
        group.permissions.add(*perms)


def _with_history(apps, model_name, obj):
    """Write the history row the running app would write (migration models have no history hooks)."""
    ChainHead = apps.get_model("complaints", "ChainHead")
    Historical = apps.get_model("referrals", f"Historical{model_name}")
    row = Historical(history_date=timezone.now(), history_type="+", history_change_reason=REASON,
                     history_actor="system")
    for field in obj._meta.concrete_fields:
        setattr(row, field.attname, getattr(obj, field.attname))
    table = Historical._meta.db_table
    ChainHead.objects.get_or_create(table=table)
    head = ChainHead.objects.select_for_update().get(table=table)
    row.chain_seq = head.seq + 1
    row.chain_prev = head.hash
    row.chain_hash = row_digest(row)
    row.save()
    head.seq, head.hash = row.chain_seq, row.chain_hash
    head.save()


def seed_illinois(apps, schema_editor):
    RuleSet = apps.get_model("referrals", "RuleSet")
    Rule = apps.get_model("referrals", "Rule")
    if RuleSet.objects.filter(state=ILLINOIS["state"]).exists():
        return
    fields = {k: v for k, v in ILLINOIS.items() if k != "rules"}
    fields["effective_from"] = datetime.date.fromisoformat(fields["effective_from"])
    rule_set = RuleSet.objects.create(**fields)
    _with_history(apps, "RuleSet", rule_set)
    for order, rule in enumerate(ILLINOIS["rules"], start=1):
        created = Rule.objects.create(rule_set=rule_set, sort_order=order * 10, **rule)
        _with_history(apps, "Rule", created)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("complaints", "0002_roles"),
        ("investigations", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(add_permissions, migrations.RunPython.noop),
        migrations.RunPython(seed_illinois, migrations.RunPython.noop),
        complaints.dbguards.GuardAppTables(append_only=["exportlog"]),
    ]
