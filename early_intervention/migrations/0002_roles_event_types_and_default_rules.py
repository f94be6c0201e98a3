"""Who may see early-intervention records, the event types, and default rules (starting points to calibrate).

Written as literals: a migration never imports live roles or seeds, which change later without changing old
databases.
"""

import datetime
import decimal
import hashlib
import json

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

import complaints.dbguards


# The history chain's hash of a row, as complaints.history.row_digest stood when this migration was written
# (frozen here: a migration never imports live code, which may change without changing old databases).
def _canonical(field, value):
    if value is None:
        return None
    try:
        value = field.to_python(value)
    except Exception:  # noqa: BLE001 - the chain's canonical form falls back to str()
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    return value


def row_digest(row):
    fields = {}
    for field in row._meta.concrete_fields:
        if field.attname in ("history_id", "chain_hash"):
            continue
        fields[field.attname] = _canonical(field, getattr(row, field.attname))
    payload = json.dumps(
        {"table": row._meta.db_table, "fields": fields}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256((row.chain_prev + payload).encode()).hexdigest()

REASON = "early-intervention event types and default rules seeded"

PERMISSIONS = {
    "supervisor": ["view_early_intervention", "answer_alert", "view_alert", "view_rule", "view_eventtype",
                   "view_officerevent", "view_intervention", "view_followupreview", "view_alertdecision"],
    "chief": ["view_early_intervention", "answer_alert", "view_alert", "view_rule", "view_eventtype",
              "view_officerevent", "view_intervention", "view_followupreview", "view_alertdecision"],
    "auditor": ["view_early_intervention", "view_alert", "view_rule", "view_eventtype", "view_officerevent",
                "view_intervention", "view_followupreview", "view_alertdecision"],
    "administrator": ["view_early_intervention", "view_rule", "add_rule", "view_eventtype", "add_eventtype",
                      "change_eventtype", "view_officerevent"],
}

EVENT_TYPES = [
    ("use_of_force", "use of force"),
    ("vehicle_pursuit", "vehicle pursuit"),
    ("at_fault_collision", "at-fault collision"),
    ("lawsuit_or_claim", "lawsuit or claim"),
    ("officer_injury", "officer injury"),
    ("arrestee_injury", "arrestee injury"),
    ("resisting_arrest_charge", "resisting-arrest charge"),
    ("sick_time_use", "sick-time use"),
    ("commendation", "commendation"),
]

CALIBRATE = ("Starting point, not a finding: count how many officers it flags in your own data and adjust "
             "(a rule that flags most of a unit is too low).")

# (code, kind, name, indicators, threshold, window days, assignment type, percentile, minimum count)
RULES = [
    ("patrol-complaints", "threshold", "Patrol: complaints in a year", ["complaint_received"], 3, 365, "patrol",
     None, 1),
    ("tactical-complaints", "threshold", "Tactical: complaints in a year", ["complaint_received"], 5, 365,
     "tactical", None, 1),
    ("traffic-complaints", "threshold", "Traffic: complaints in a year", ["complaint_received"], 3, 365, "traffic",
     None, 1),
    ("investigations-complaints", "threshold", "Investigations: complaints in a year", ["complaint_received"], 3,
     365, "investigations", None, 1),
    ("administrative-complaints", "threshold", "Administrative: complaints in a year", ["complaint_received"], 2,
     365, "administrative", None, 1),
    ("supervision-complaints", "threshold", "Supervision: complaints in a year", ["complaint_received"], 3, 365,
     "supervision", None, 1),
    ("patrol-force", "threshold", "Patrol: uses of force in six months", ["event:use_of_force"], 5, 180, "patrol",
     None, 1),
    ("tactical-force", "threshold", "Tactical: uses of force in six months", ["event:use_of_force"], 12, 180,
     "tactical", None, 1),
    ("traffic-driving", "threshold", "Traffic: pursuits and at-fault collisions in a year",
     ["event:vehicle_pursuit", "event:at_fault_collision"], 3, 365, "traffic", None, 1),
    ("injuries-and-resisting", "threshold", "Arrestee injuries and resisting-arrest charges in a year",
     ["event:arrestee_injury", "event:resisting_arrest_charge"], 4, 365, "patrol", None, 1),
    ("sustained-findings", "threshold", "Sustained findings in two years", ["sustained_finding"], 2, 730, "",
     None, 1),
    ("retaliation", "threshold", "Retaliation concerns in a year", ["retaliation_concern", "allegation:retaliation"],
     1, 365, "", None, 1),
    ("lawsuits", "threshold", "Lawsuits or claims in two years", ["event:lawsuit_or_claim"], 2, 730, "", None, 1),
    ("patrol-peers", "peer", "Patrol: complaints and force above 95% of patrol peers",
     ["complaint_received", "event:use_of_force"], None, 365, "patrol", 95, 4),
    ("tactical-peers", "peer", "Tactical: complaints and force above 95% of tactical peers",
     ["complaint_received", "event:use_of_force"], None, 365, "tactical", 95, 8),
]


def _with_history(apps, model_name, obj):
    """Write the history row the running app would write (migration models have no history hooks)."""
    ChainHead = apps.get_model("complaints", "ChainHead")
    Historical = apps.get_model("early_intervention", f"Historical{model_name}")
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


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("early_intervention")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="early_intervention", codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Unknown permissions for {role}: {sorted(missing)}")
        group.permissions.add(*perms)


def seed(apps, schema_editor):
    EventType = apps.get_model("early_intervention", "EventType")
    Rule = apps.get_model("early_intervention", "Rule")
    for code, label in EVENT_TYPES:
        if not EventType.objects.filter(code=code).exists():
            _with_history(apps, "EventType", EventType.objects.create(code=code, label=label))
    for code, kind, name, indicators, count, window, assignment, percentile, minimum in RULES:
        if Rule.objects.filter(code=code).exists():
            continue
        rule = Rule.objects.create(
            code=code, version=1, kind=kind, name=name, indicators=indicators, threshold_count=count,
            window_days=window, assignment_type=assignment, percentile=percentile, minimum_count=minimum,
            effective_from=datetime.date(2000, 1, 1), notes=CALIBRATE,
        )
        _with_history(apps, "Rule", rule)


class Migration(migrations.Migration):
    dependencies = [
        ("early_intervention", "0001_initial"),
        ("complaints", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(add_permissions, migrations.RunPython.noop),
        migrations.RunPython(seed, migrations.RunPython.noop),
        complaints.dbguards.GuardAppTables(),
    ]
