"""The synced models and the database triggers that stamp their `sync_txid`.

A model is synced when it has a `sync_txid` field: every SyncedModel (organizations, sites,
claims, visits, observations) and the Tombstone of a deleted one. Phones page through them
by that stamp (api/sync.py), so a synced table without its trigger would never reach them.

The triggers are installed from this one list: by migration 0002, again by any migration
that rebuilds a table on SQLite (which drops the table's triggers), and after every
`migrate` for a synced model added since (`install_missing`, on post_migrate). On
PostgreSQL the stamp is the writing transaction's id; on SQLite, which has one writer at a
time, a counter bumped inside the write, which follows commit order.
"""
from django.apps import apps as global_apps

STAMP_FIELD = "sync_txid"

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION surveys_stamp_sync_txid() RETURNS trigger AS $$
BEGIN
    NEW.sync_txid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_EVENTS = ("insert", "update")


def synced_models(apps=global_apps) -> list:
    """The models of the surveys app whose rows phones sync (those with a sync_txid field)."""
    return [model for model in apps.get_app_config("surveys").get_models()
            if any(field.name == STAMP_FIELD for field in model._meta.concrete_fields)]


def synced_tables(apps=global_apps) -> list[str]:
    return sorted(model._meta.db_table for model in synced_models(apps))


def trigger_names(table: str, vendor: str) -> set[str]:
    if vendor == "postgresql":
        return {f"{table}_sync"}
    return {f"{table}_sync_{event}" for event in SQLITE_EVENTS}


def existing_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def tables_without_triggers(connection, apps=global_apps) -> list[str]:
    """The synced tables that exist in the database and lack a trigger."""
    present, existing = set(connection.introspection.table_names()), existing_triggers(connection)
    return [table for table in synced_tables(apps)
            if table in present and not trigger_names(table, connection.vendor) <= existing]


def install_missing(connection, apps=global_apps) -> list[str]:
    """Create the triggers that a synced table lacks; returns the tables it installed them on."""
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"sync triggers for {connection.vendor}")
    tables = tables_without_triggers(connection, apps)
    with connection.cursor() as cursor:
        if tables and connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
        for table in tables:
            for statement in _create_statements(table, connection.vendor):
                cursor.execute(statement)
    return tables


def drop_all(connection, apps=global_apps) -> None:
    with connection.cursor() as cursor:
        for table in synced_tables(apps):
            for name in trigger_names(table, connection.vendor):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if connection.vendor == "postgresql"
                               else f"DROP TRIGGER IF EXISTS {name}")


def _create_statements(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"CREATE TRIGGER {table}_sync BEFORE INSERT OR UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION surveys_stamp_sync_txid()"]
    # The trigger seeds the counter row itself: a flush (tests, `manage.py flush`) empties it.
    return [f"CREATE TRIGGER IF NOT EXISTS {table}_sync_{event} AFTER {event.upper()} ON {table} BEGIN "
            f"INSERT OR IGNORE INTO surveys_synccounter (id, value) VALUES (1, 0); "
            f"UPDATE surveys_synccounter SET value = value + 1 WHERE id = 1; "
            f"UPDATE {table} SET sync_txid = (SELECT value FROM surveys_synccounter WHERE id = 1) "
            f"WHERE rowid = NEW.rowid; END"
            for event in SQLITE_EVENTS]


def migration_install(apps, schema_editor) -> None:
    """RunPython of migration 0002, and of any migration that rebuilds a synced table on SQLite:
    `migrations.RunPython(sync.migration_install, sync.migration_install)` after its operations."""
    install_missing(schema_editor.connection, apps)


def migration_drop(apps, schema_editor) -> None:
    drop_all(schema_editor.connection, apps)


def install_after_migrate(sender, *, using="default", apps=global_apps, **kwargs) -> None:
    """post_migrate: a synced model added since the last migration that installed triggers gets its own."""
    from django.db import connections

    install_missing(connections[using], apps)
