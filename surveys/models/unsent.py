from django.db import models


class UnsentTask(models.Model):
    """A task message the broker refused after its transaction had committed.

    The write it follows is kept; the message waits here until the resend sweep
    (surveys.services.unsent) hands it to the broker again.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
