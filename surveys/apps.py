from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Field surveys")

    def ready(self):
        from django.db.models.signals import post_migrate

        from surveys.roles import roles_sync

        post_migrate.connect(roles_sync, sender=self)
