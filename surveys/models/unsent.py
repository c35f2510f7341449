from django.db import models
from django.utils.translation import gettext_lazy as _


class UnsentTask(models.Model):
    """A task message the broker refused after its transaction had committed.

    The write it follows is kept; the message waits here until the resend sweep
    (surveys.services.unsent) hands it to the broker again.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsent task")
        verbose_name_plural = _("unsent tasks")

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
