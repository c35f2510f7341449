from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Field surveys"

    def ready(self):
        from django.db.models.signals import post_migrate

        from surveys.roles import roles_sync

        post_migrate.connect(roles_sync, sender=self)
