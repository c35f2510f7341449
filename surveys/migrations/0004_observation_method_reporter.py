"""Method `reporter`: the reporter's own mark of a site, as an observation.

SQLite changes a CHECK constraint by rebuilding the table, which drops its triggers:
the sync triggers of 0002 are put back afterwards (on PostgreSQL they were never lost).
"""
import importlib

import surveys.vocab
from django.db import migrations, models

_sync_triggers = importlib.import_module("surveys.migrations.0002_sync_triggers")


def recreate_sync_triggers(apps, schema_editor):
    _sync_triggers.drop_triggers(apps, schema_editor)
    _sync_triggers.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0003_visit_followup_of'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='observation',
            name='observation_method_valid',
        ),
        migrations.AlterField(
            model_name='observation',
            name='method',
            field=models.CharField(choices=[('counted', 'counted'), ('estimated', 'estimated'), ('interview', 'interview'), ('signage', 'signage'), ('document', 'document'), ('photo', 'photo'), ('reporter', 'reporter')], default=surveys.vocab.Method['ESTIMATED'], max_length=16),
        ),
        migrations.AddConstraint(
            model_name='observation',
            constraint=models.CheckConstraint(condition=models.Q(('method__in', ['counted', 'estimated', 'interview', 'signage', 'document', 'photo', 'reporter'])), name='observation_method_valid'),
        ),
        migrations.RunPython(recreate_sync_triggers, recreate_sync_triggers),
    ]
