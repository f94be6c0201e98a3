"""Database triggers that refuse to purge, so raw SQL cannot do what the ORM refuses.

Record tables refuse DELETE (and TRUNCATE on PostgreSQL); append-only tables (history, access logs) also
refuse UPDATE. `GuardAppTables` is a migration operation: put it at the end of every migration of an app
with records. It guards every table the app has at that point, so a new model is covered by the migration
that adds it; on SQLite, Django rebuilds a table to alter it (dropping its triggers), and the operation at the
end of that same migration puts them back. tests/complaints/test_purge_protection.py fails on any table
left unguarded.
"""

from django.db.migrations.operations.base import Operation

PREFIX = "purge_guard"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'purge refused: % on % is not allowed; records are never deleted and history is never changed',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""


def trigger_sql(vendor, table, append_only):
    """The statements that guard `table` on `vendor` ('sqlite' or 'postgresql')."""
    q = '"' + table.replace('"', '""') + '"'
    if vendor == "sqlite":
        statements = [
            f'CREATE TRIGGER IF NOT EXISTS "{PREFIX}_del_{table}" BEFORE DELETE ON {q} '
            f"BEGIN SELECT RAISE(ABORT, 'purge refused: rows in {table} are never deleted'); END;"
        ]
        if append_only:
            statements.append(
                f'CREATE TRIGGER IF NOT EXISTS "{PREFIX}_upd_{table}" BEFORE UPDATE ON {q} '
                f"BEGIN SELECT RAISE(ABORT, 'refused: rows in {table} are append-only'); END;"
            )
        return statements
    if vendor == "postgresql":
        ops = "UPDATE OR DELETE" if append_only else "DELETE"
        return [
            PG_FUNCTION,
            f"CREATE OR REPLACE TRIGGER {PREFIX}_row BEFORE {ops} ON {q} "
            f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}_refuse();",
            f"CREATE OR REPLACE TRIGGER {PREFIX}_truncate BEFORE TRUNCATE ON {q} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_refuse();",
        ]
    raise NotImplementedError(f"No purge guard for database vendor {vendor!r}.")


def _refuses_update(schema_editor, table):
    """True when the table's guard already refuses UPDATE (PostgreSQL): a later migration never weakens it.

    On PostgreSQL the guard is one trigger replaced in place, so an operation that does not name a table as
    append-only would otherwise turn its UPDATE-and-DELETE guard into a DELETE-only one. (SQLite keeps one trigger
    per operation kind, created if missing, so nothing is weakened there.)
    """
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = %s AND t.tgname = %s",
            [table, f"{PREFIX}_row"],
        )
        row = cursor.fetchone()
    return bool(row and row[0] & 16)  # tgtype bit 16: UPDATE


def is_append_only(model_name, append_only_models=()):
    return model_name.lower().startswith("historical") or model_name.lower() in append_only_models


class GuardAppTables(Operation):
    """Install purge guards on every table of this app (idempotent; never reversed)."""

    reduces_to_sql = True
    reversible = False

    def __init__(self, append_only=(), exempt=()):
        self.append_only = tuple(name.lower() for name in append_only)
        self.exempt = tuple(name.lower() for name in exempt)

    def deconstruct(self):
        kwargs = {}
        if self.append_only:
            kwargs["append_only"] = self.append_only
        if self.exempt:
            kwargs["exempt"] = self.exempt
        return (self.__class__.__name__, [], kwargs)

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for (model_app, model_name), model_state in to_state.models.items():
            if model_app != app_label or model_name in self.exempt:
                continue
            if model_state.options.get("proxy") or not model_state.options.get("managed", True):
                continue
            table = model_state.options.get("db_table") or f"{app_label}_{model_name}"
            append_only = is_append_only(model_name, self.append_only) or _refuses_update(schema_editor, table)
            for statement in trigger_sql(vendor, table, append_only):
                schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        raise NotImplementedError("Purge guards are never removed by a migration.")

    def describe(self):
        return "Install purge-refusing triggers on every table of the app"


def guarded_tables(using="default"):
    """{table: {'delete': bool, 'update': bool, 'truncate': bool}} as the database reports it now."""
    from django.db import connections

    conn = connections[using]
    found = {}
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{PREFIX}%"],
            )
            for name, table in cursor.fetchall():
                entry = found.setdefault(table, {"delete": False, "update": False, "truncate": False})
                if name.startswith(f"{PREFIX}_del_"):
                    entry["delete"] = True
                if name.startswith(f"{PREFIX}_upd_"):
                    entry["update"] = True
        else:
            cursor.execute(
                """
                SELECT c.relname, t.tgname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE t.tgname LIKE %s AND NOT t.tgisinternal AND t.tgenabled <> 'D'
                """,
                [f"{PREFIX}%"],
            )
            for table, _name, tgtype in cursor.fetchall():
                entry = found.setdefault(table, {"delete": False, "update": False, "truncate": False})
                # tgtype bits: 8 = DELETE, 16 = UPDATE, 32 = TRUNCATE.
                entry["delete"] |= bool(tgtype & 8)
                entry["update"] |= bool(tgtype & 16)
                entry["truncate"] |= bool(tgtype & 32)
    return found


# --- Changes without history (PostgreSQL) and the admin log (both databases) ----------------------------------
#
# A record row may only change together with its history row: at commit, the newest history row of every record
# inserted or updated in the transaction must hold the live row's values. A raw UPDATE by the app role (which
# needs UPDATE to save records) therefore fails at commit. SQLite has no deferred triggers; there
# verify_history compares every live row with its newest history row instead.

HISTORY_GUARD = "history_guard"

PG_HISTORY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {HISTORY_GUARD}_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE live jsonb; newest jsonb;
BEGIN
    EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE t.%I = ($1).%I', TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[1])
        INTO live USING NEW;
    IF live IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT to_jsonb(h) FROM %I h WHERE h.%I = ($1).%I ORDER BY h.history_id DESC LIMIT 1',
                   TG_ARGV[0], TG_ARGV[1], TG_ARGV[1])
        INTO newest USING NEW;
    IF newest IS NULL OR newest ->> 'history_type' = '-'
       OR EXISTS (SELECT 1 FROM jsonb_each(live) l WHERE (newest -> l.key) IS DISTINCT FROM l.value) THEN
        RAISE EXCEPTION 'history refused: % on % (% %) without a matching history row in %',
            TG_OP, TG_TABLE_NAME, TG_ARGV[1], live -> TG_ARGV[1], TG_ARGV[0]
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$;
"""

# Django's admin log: nobody edits or removes what an administrator did.
ADMIN_LOG_TABLE = "django_admin_log"


def history_guard_sql(table, history_table, pk_column):
    q = '"' + table.replace('"', '""') + '"'
    return [
        PG_HISTORY_FUNCTION,
        f"DROP TRIGGER IF EXISTS {HISTORY_GUARD} ON {q};",
        f"CREATE CONSTRAINT TRIGGER {HISTORY_GUARD} AFTER INSERT OR UPDATE ON {q} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        f"EXECUTE FUNCTION {HISTORY_GUARD}_check('{history_table}', '{pk_column}');",
    ]


def record_models():
    """Every concrete record model (a model whose history is hash-chained), in a stable order."""
    from django.apps import apps

    from .history import HistoryChain

    found = []
    for model in apps.get_models():
        history = getattr(model._meta, "simple_history_manager_attribute", None)
        manager = getattr(model, history, None) if history else None
        if manager is not None and issubclass(manager.model, HistoryChain):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.db_table)


def install_guards(using="default", **kwargs):
    """Install the history guard on every record table and the append-only guard on the admin log (idempotent).

    Runs after every migrate (post_migrate), so tables added by any app are covered.
    """
    from django.db import connections

    conn = connections[using]
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        if ADMIN_LOG_TABLE in existing:
            for statement in trigger_sql(conn.vendor, ADMIN_LOG_TABLE, append_only=True):
                cursor.execute(statement)
        if conn.vendor != "postgresql":
            return
        for model in record_models():
            history_model = model.history.model
            if model._meta.db_table in existing and history_model._meta.db_table in existing:
                for statement in history_guard_sql(
                    model._meta.db_table, history_model._meta.db_table, model._meta.pk.column
                ):
                    cursor.execute(statement)


def history_guarded_tables(using="default"):
    """Record tables with an enabled history guard (PostgreSQL; empty on SQLite)."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return set()
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND t.tgenabled <> 'D'",
            [HISTORY_GUARD],
        )
        return {row[0] for row in cursor.fetchall()}
