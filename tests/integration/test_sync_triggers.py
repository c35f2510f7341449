"""PostgreSQL: every synced model's table has its trigger, and a write is stamped with its transaction's id."""
import pytest
from django.db import connection, transaction

from surveys.models import Site, sync
from tests.factories import SiteFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_every_synced_table_has_its_trigger_on_postgresql():
    existing = sync.existing_triggers(connection)
    assert sorted(table for table in sync.synced_tables()
                  if not sync.trigger_names(table, "postgresql") <= existing) == []
    assert len(sync.synced_tables()) == 6


def test_a_write_is_stamped_with_its_transaction_id():
    with transaction.atomic():
        site = SiteFactory()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint")
            (txid,) = cursor.fetchone()
    assert Site.objects.get(pk=site.pk).sync_txid == txid


def test_a_lost_trigger_is_put_back_after_migrate():
    from django.core.management import call_command

    table = Site._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {table}_sync ON {table}")
    assert sync.tables_without_triggers(connection) == [table]
    call_command("migrate", verbosity=0)
    assert sync.tables_without_triggers(connection) == []
