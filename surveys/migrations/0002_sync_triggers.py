"""Triggers that stamp sync_txid on every write to a synced table (see surveys/models/sync.py).

The tables are those of the models that have a sync_txid field at this point of the
migrations; later synced models get theirs after `migrate` (post_migrate).
"""
from django.db import migrations

from surveys.models import sync


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(sync.migration_install, sync.migration_drop)]
