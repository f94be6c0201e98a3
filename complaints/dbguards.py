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
            for statement in trigger_sql(vendor, table, is_append_only(model_name, self.append_only)):
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
