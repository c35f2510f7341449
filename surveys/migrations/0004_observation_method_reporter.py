"""Method `reporter`: the reporter's own mark of a site, as an observation.

SQLite changes a CHECK constraint by rebuilding the table, which drops its triggers:
the sync triggers are put back afterwards (on PostgreSQL they were never lost).
"""
import surveys.vocab
from django.db import migrations, models

from surveys.models import sync


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
        migrations.RunPython(sync.migration_install, sync.migration_install),
    ]
