from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Field surveys")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_migrate, post_save, pre_save

        import surveys.login_throttle  # noqa: F401 (counts failed logins: a user_login_failed receiver)
        from surveys.models.sync import install_after_migrate
        from surveys.roles import roles_sync
        from surveys.services.users import credentials_change_note, credentials_change_revoke_tokens

        post_migrate.connect(roles_sync, sender=self)
        post_migrate.connect(install_after_migrate, sender=self)
        pre_save.connect(credentials_change_note, sender=get_user_model())
        post_save.connect(credentials_change_revoke_tokens, sender=get_user_model())
