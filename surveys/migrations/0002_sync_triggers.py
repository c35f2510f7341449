"""Triggers that stamp sync_txid on every write to a synced table (see SyncedModel)."""
from django.db import migrations

SYNCED_TABLES = [
    "surveys_organization", "surveys_site", "surveys_claim",
    "surveys_visit", "surveys_observation", "surveys_tombstone",
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION surveys_stamp_sync_txid() RETURNS trigger AS $$
BEGIN
    NEW.sync_txid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    apps.get_model("surveys", "SyncCounter").objects.using(connection.alias).get_or_create(pk=1)
    if connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in SYNCED_TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_sync BEFORE INSERT OR UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION surveys_stamp_sync_txid()"
            )
    elif connection.vendor == "sqlite":
        # SQLite has one writer at a time, so a counter bumped inside the write follows commit order.
        # The trigger seeds the counter row itself: a flush (tests, `manage.py flush`) empties it.
        for table in SYNCED_TABLES:
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_sync_{event.lower()} AFTER {event} ON {table} BEGIN "
                    f"INSERT OR IGNORE INTO surveys_synccounter (id, value) VALUES (1, 0); "
                    f"UPDATE surveys_synccounter SET value = value + 1 WHERE id = 1; "
                    f"UPDATE {table} SET sync_txid = (SELECT value FROM surveys_synccounter WHERE id = 1) "
                    f"WHERE rowid = NEW.rowid; END"
                )
    else:
        raise NotImplementedError(f"sync triggers for {connection.vendor}")


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    for table in SYNCED_TABLES:
        if connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_sync ON {table}")
        else:
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_sync_{event}")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
