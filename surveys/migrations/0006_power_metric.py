"""Metric `power` (MW), from the engine's metric table.

SQLite changes a CHECK constraint by rebuilding the table, which drops its triggers: the sync
triggers are put back afterwards, as in 0004 (on PostgreSQL they were never lost).
"""
from django.conf import settings
from django.db import migrations, models

from surveys.models import sync


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0005_merge_tokens_and_observation_method'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='claim',
            name='claim_metric_valid',
        ),
        migrations.RemoveConstraint(
            model_name='discrepancy',
            name='discrepancy_metric_valid',
        ),
        migrations.RemoveConstraint(
            model_name='observation',
            name='observation_metric_valid',
        ),
        migrations.AlterField(
            model_name='claim',
            name='metric',
            field=models.CharField(choices=[('headcount', 'headcount'), ('enterprises', 'enterprises'), ('capacity_energy', 'energy capacity'), ('output_mass', 'output (tonnes)'), ('output_units', 'output (units)'), ('area', 'area'), ('investment', 'investment'), ('output_value', 'output value'), ('power', 'power capacity'), ('status', 'status')], max_length=32),
        ),
        migrations.AlterField(
            model_name='discrepancy',
            name='metric',
            field=models.CharField(choices=[('headcount', 'headcount'), ('enterprises', 'enterprises'), ('capacity_energy', 'energy capacity'), ('output_mass', 'output (tonnes)'), ('output_units', 'output (units)'), ('area', 'area'), ('investment', 'investment'), ('output_value', 'output value'), ('power', 'power capacity'), ('status', 'status')], max_length=32),
        ),
        migrations.AlterField(
            model_name='observation',
            name='metric',
            field=models.CharField(choices=[('headcount', 'headcount'), ('enterprises', 'enterprises'), ('capacity_energy', 'energy capacity'), ('output_mass', 'output (tonnes)'), ('output_units', 'output (units)'), ('area', 'area'), ('investment', 'investment'), ('output_value', 'output value'), ('power', 'power capacity'), ('status', 'status')], max_length=32),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('metric__in', ['headcount', 'enterprises', 'capacity_energy', 'output_mass', 'output_units', 'area', 'investment', 'output_value', 'power', 'status'])), name='claim_metric_valid'),
        ),
        migrations.AddConstraint(
            model_name='discrepancy',
            constraint=models.CheckConstraint(condition=models.Q(('metric__in', ['headcount', 'enterprises', 'capacity_energy', 'output_mass', 'output_units', 'area', 'investment', 'output_value', 'power', 'status'])), name='discrepancy_metric_valid'),
        ),
        migrations.AddConstraint(
            model_name='observation',
            constraint=models.CheckConstraint(condition=models.Q(('metric__in', ['headcount', 'enterprises', 'capacity_energy', 'output_mass', 'output_units', 'area', 'investment', 'output_value', 'power', 'status'])), name='observation_metric_valid'),
        ),
        migrations.RunPython(sync.migration_install, sync.migration_install),
    ]
