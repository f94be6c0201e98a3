"""Roles' referral permissions and the Illinois rule set, frozen here as literals.

A migration must write the same rows whatever the live code later says, so nothing here is imported from the
app (roles, seed, hashing): the permission lists, the rule set and the history-row digest are copies as they
stood when this migration was written.
"""

import datetime
import hashlib
import json

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

import complaints.dbguards

REASON = "Illinois referral rules (50 ILCS 705/9.2) seeded"

REFERRALS_PERMISSIONS = {
    "POST liaison": ["view_referral", "work_referral", "view_exportlog", "view_rule", "view_ruleset"],
    "supervisor": ["view_referral", "close_referral", "export_case_file"],
    "investigator": ["export_case_file"],
    "auditor": ["view_referral", "view_exportlog", "view_rule", "view_ruleset"],
    "administrator": ["view_ruleset", "add_ruleset", "change_ruleset", "view_rule", "add_rule", "change_rule"],
}

ILLINOIS = {
    "state": "IL",
    "name": "Illinois 50 ILCS 705/9.2 notification of the Board",
    "board": "Illinois Law Enforcement Training and Standards Board",
    "statute": "50 ILCS 705/9.2",
    "due_days": 10,
    "effective_from": "2022-01-01",
    "notes": (
        "Due 10 days after the final determination (the newest decision after any appeal, grievance, "
        "arbitration or court change) or after the resignation or retirement. Which categories trigger a formal "
        "investigation under (a)(2) is agency policy: keep that rule's list in line with it."
    ),
    "rules": [
        {
            "code": "il-a1-suspension-10-days",
            "kind": "discipline",
            "description": (
                "(a)(1) The final determination leads to a suspension of at least 10 days "
                "(termination counts as more than a 10-day suspension)."
            ),
            "min_suspension_days": 10,
            "outcomes": ["termination"],
        },
        {
            "code": "il-a2-formal-investigation",
            "kind": "sustained_category",
            "description": (
                "(a)(2) A finally determined infraction that triggers an official or formal investigation "
                "under agency policy."
            ),
            "categories": ["excessive-force", "false-arrest", "sexual-misconduct", "retaliation",
                           "failure-to-intervene"],
        },
        {
            "code": "il-a3-truthfulness-bias-integrity",
            "kind": "sustained_category",
            "description": (
                "(a)(3) A finally determined allegation of misconduct regarding truthfulness as to a material "
                "fact, bias, or integrity."
            ),
            "categories": ["dishonesty", "bias"],
        },
        {
            "code": "il-a4-resigned-retired-under-investigation",
            "kind": "separation",
            "description": (
                "(a)(4) The officer resigned or retired during the course of an investigation after being served "
                "notice of it."
            ),
            "separation_reasons": ["resigned", "retired"],
            "requires_notice": True,
        },
    ],
}


def _canonical(field, value):
    # The history chain's canonical form for the field types these two tables have (copy, frozen).
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def row_digest(row):
    """The chain hash of a history row (complaints.history.row_digest as it stood; frozen)."""
    fields = {}
    for field in row._meta.concrete_fields:
        if field.attname in ("history_id", "chain_hash"):
            continue
        fields[field.attname] = _canonical(field, getattr(row, field.attname))
    payload = json.dumps(
        {"table": row._meta.db_table, "fields": fields}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256((row.chain_prev + payload).encode()).hexdigest()


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
