from django.utils import timezone
from rest_framework import serializers

from api.serializers.base import ModelSerializer
from surveys.models import Discrepancy


class FollowupRequestSerializer(ModelSerializer):
    """A follow-up request: what to go back and check, since when, and whether a visit answered it.

    File the answer as a visit with `followup_of` = `discrepancy` (at `site`).
    """

    discrepancy = serializers.IntegerField(source="pk", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    claim_text = serializers.CharField(source="claim.text", read_only=True)
    note = serializers.CharField(source="review_note", read_only=True, help_text="The editor's request.")
    requested_at = serializers.DateTimeField(source="reviewed_at", read_only=True, allow_null=True)
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                            help_text="When the first visit answering it arrived; null while waiting.")
    waiting_seconds = serializers.SerializerMethodField(help_text="How long it has waited unanswered (null once answered).")

    class Meta:
        model = Discrepancy
        fields = ["discrepancy", "site", "site_name", "metric", "kind", "claimed", "observed", "claim_text", "note",
                  "requested_at", "answered_at", "waiting_seconds"]
        read_only_fields = fields

    def get_waiting_seconds(self, discrepancy) -> int | None:
        if discrepancy.answered_at is not None or discrepancy.reviewed_at is None:
            return None
        return int((timezone.now() - discrepancy.reviewed_at).total_seconds())
