from django.conf import settings
from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone


def revoke_older_duplicates(apps, schema_editor):
    """Before the constraint: keep each device's newest live token, revoke the others."""
    ApiToken = apps.get_model("surveys", "ApiToken")
    live = ApiToken.objects.filter(revoked_at__isnull=True)
    newest = live.values("user_id", "device").annotate(keep=Max("id")).values_list("keep", flat=True)
    live.exclude(id__in=list(newest)).update(revoked_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0003_visit_followup_of"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(revoke_older_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.UniqueConstraint(condition=models.Q(("revoked_at__isnull", True)),
                                               fields=("user", "device"), name="apitoken_one_live_per_device"),
        ),
    ]
