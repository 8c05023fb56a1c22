"""A server-side change sequence for the tablets' "what changed since my last sync".

Every table with a `change_seq` column gets a database trigger that stamps each inserted or
updated row from one counter, so no code path (admin, imports, raw SQL) can forget it, and
the cursor never depends on clocks. The counter row is locked until the writing transaction
commits, so stamps become visible in the order they were given: a tablet holding cursor N
can never miss a later commit stamped below N.

PostgreSQL stamps all rows of one transaction with one value (a million-row import takes
one counter update, not a million). SQLite has one writer at a time, so a stamp per row
keeps the same order. Triggers are (re)installed after every migrate: Django rebuilds
SQLite tables to alter them, which would drop them.
"""

from django.apps import apps
from django.db import connections

COUNTER = "machimori_change_counter"


def tables_with_change_seq() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if any(field.name == "change_seq" for field in model._meta.local_fields)
    )


_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION machimori_stamp_change() RETURNS trigger AS $$
DECLARE stamp bigint;
BEGIN
  stamp := nullif(current_setting('machimori.change_seq', true), '')::bigint;
  IF stamp IS NULL THEN
    UPDATE {COUNTER} SET value = value + 1 WHERE id = 1 RETURNING value INTO stamp;
    PERFORM set_config('machimori.change_seq', stamp::text, true);
  END IF;
  NEW.change_seq := stamp;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def ensure_change_triggers(using: str = "default", **kwargs) -> list[str]:
    """Create the counter and a trigger on every table with change_seq (idempotent)."""
    connection = connections[using]
    tables = tables_with_change_seq()
    existing = set(connection.introspection.table_names())
    tables = [t for t in tables if t in existing]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {COUNTER} "
            "(id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL)"
        )
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {COUNTER} (id, value) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"
            )
            cursor.execute(_PG_FUNCTION)
            for table in tables:
                cursor.execute(
                    f'CREATE OR REPLACE TRIGGER "{table}_change_seq" BEFORE INSERT OR UPDATE '
                    f'ON "{table}" FOR EACH ROW EXECUTE FUNCTION machimori_stamp_change()'
                )
        else:
            cursor.execute(f"INSERT OR IGNORE INTO {COUNTER} (id, value) VALUES (1, 0)")
            for table in tables:
                stamp = (
                    f"UPDATE {COUNTER} SET value = value + 1 WHERE id = 1; "
                    f'UPDATE "{table}" SET change_seq = (SELECT value FROM {COUNTER} WHERE id = 1) '
                    "WHERE rowid = NEW.rowid;"
                )
                cursor.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{table}_change_seq_insert" '
                    f'AFTER INSERT ON "{table}" BEGIN {stamp} END'
                )
                # Our own stamp raises change_seq and must not count again; any other write
                # (Django saves whatever value it loaded) leaves it equal or lower.
                cursor.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{table}_change_seq_update" '
                    f'AFTER UPDATE ON "{table}" WHEN NEW.change_seq <= OLD.change_seq '
                    f"BEGIN {stamp} END"
                )
    return tables


def current_cursor(using: str = "default") -> int:
    """The newest stamp committed: a tablet that has everything up to it is up to date."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT value FROM {COUNTER} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0
