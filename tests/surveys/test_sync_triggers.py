"""Every synced model's table has its sync trigger (SQLite here; PostgreSQL in tests/integration)."""
import pytest
from django.apps import apps
from django.db import connection

from surveys.models import Organization, Tombstone, sync
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_the_synced_models_are_those_with_a_sync_stamp():
    assert {model.__name__ for model in sync.synced_models()} == {
        "Organization", "Site", "Claim", "Visit", "Observation", "Tombstone"}


def test_every_synced_table_has_its_triggers():
    existing = sync.existing_triggers(connection)
    missing = {table: sorted(sync.trigger_names(table, connection.vendor) - existing)
               for table in sync.synced_tables()}
    assert {table: names for table, names in missing.items() if names} == {}


def test_every_write_to_a_synced_table_is_stamped():
    site = SiteFactory()
    first = type(site).objects.get(pk=site.pk).sync_txid
    site.name = "Renamed"
    site.save()
    assert 0 < first < type(site).objects.get(pk=site.pk).sync_txid
    tombstone = Tombstone.objects.create(model="site", object_id="1")
    assert Tombstone.objects.get(pk=tombstone.pk).sync_txid > 0


def test_a_lost_trigger_is_put_back_after_migrate():
    # What a table rebuild on SQLite does to the table's triggers.
    table = Organization._meta.db_table
    with connection.cursor() as cursor:
        for name in sync.trigger_names(table, connection.vendor):
            cursor.execute(f"DROP TRIGGER {name}" if connection.vendor == "sqlite" else f"DROP TRIGGER {name} ON {table}")
    assert sync.tables_without_triggers(connection) == [table]
    sync.install_after_migrate(apps.get_app_config("surveys"), using=connection.alias)
    assert sync.tables_without_triggers(connection) == []
    assert Organization.objects.create(name="Hengda").sync_txid == 0  # the instance; the row is stamped
    assert Organization.objects.get(name="Hengda").sync_txid > 0


def test_a_new_model_with_a_sync_stamp_counts_as_synced():
    class FakeModel:  # what a future synced model looks like to the list
        class _meta:
            concrete_fields = [type("Field", (), {"name": "sync_txid"})()]
            db_table = "surveys_future"

    class FakeApps:
        def get_app_config(self, label):
            return type("Config", (), {"get_models": lambda self: [FakeModel, Organization]})()

    assert sync.synced_tables(FakeApps()) == ["surveys_future", "surveys_organization"]
