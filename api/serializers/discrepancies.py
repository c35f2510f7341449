from django.urls import reverse
from rest_framework import serializers

from api.serializers.base import ModelSerializer
from surveys.models import Claim, Discrepancy, DiscrepancyComment, DiscrepancyDecision, Observation, Photo
from surveys.roles import is_editor, role_of
from surveys.selectors.desk import evidence_photos, observed_rule
from surveys.selectors.policy import is_restricted, reporter_label
from surveys.vocab import DECIDED_STATUSES, ReviewStatus, Role


class ClaimSourceSerializer(ModelSerializer):
    organization = serializers.CharField(source="organization.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Claim
        fields = ["id", "text", "metric", "low", "high", "unit", "qualifier", "status_value", "due_date", "is_target",
                  "source_name", "source_url", "source_kind", "published_on", "organization"]
        read_only_fields = fields


class EvidenceObservationSerializer(ModelSerializer):
    """An observation as evidence: interviewees appear by role (`source_role`), never by name."""

    visited_at = serializers.DateTimeField(source="visit.started_at", read_only=True)
    reporter = serializers.SerializerMethodField()
    side = serializers.SerializerMethodField()

    class Meta:
        model = Observation
        fields = ["id", "visit", "visited_at", "reporter", "metric", "low", "high", "unit", "qualifier", "status_value",
                  "method", "source_role", "quote", "confidence", "extracted", "rejected", "side"]
        read_only_fields = fields

    def get_side(self, observation) -> str:
        """`contradicts` the claim, is `consistent` with it, or is `new` since the decision."""
        return self.context.get("side", "contradicts")

    def get_reporter(self, observation) -> str:
        reporter = observation.visit.reporter
        return reporter_label(self.context["request"].user, reporter.pk, reporter.username)


class EvidencePhotoSerializer(ModelSerializer):
    """A photo as evidence, with links to the protected file endpoint; position for editors only."""

    thumbnail_url = serializers.SerializerMethodField()
    display_url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "visit", "status", "taken_at", "distance_m", "flags", "flag_details", "caption", "approved_at",
                  "latitude", "longitude", "thumbnail_url", "display_url"]
        read_only_fields = fields

    def _url(self, photo, variant: str) -> str | None:
        if photo.status != "ready":
            return None
        path = reverse("photo-file", args=[photo.pk])
        return self.context["request"].build_absolute_uri(f"{path}?variant={variant}")

    def get_thumbnail_url(self, photo) -> str | None:
        return self._url(photo, "thumbnail")

    def get_display_url(self, photo) -> str | None:
        return self._url(photo, "display")

    def to_representation(self, photo):
        data = super().to_representation(photo)
        if not is_editor(self.context["request"].user):
            for name in ("latitude", "longitude", "distance_m", "flag_details"):
                data.pop(name)
        return data


# The fields a decision is made on, which `since_decision` compares with the latest evidence.
COMPARED_FIELDS = ("kind", "claimed", "observed", "ratio", "severity", "explanation")


class DiscrepancySerializer(ModelSerializer):
    """The contract's fields, plus the claim's source and the evidence embedded for the desk.

    A decided discrepancy shows what it was decided on; `new_evidence[]` and `since_decision` show what
    arrived after (docs/evidence.md). Expects a queryset from `surveys.selectors.desk.discrepancies_with_evidence`.
    """

    observations = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    supporting = serializers.SerializerMethodField(help_text="Observations consistent with the claim.")
    new_evidence = serializers.SerializerMethodField(
        help_text="Observations that arrived after the decision (empty while open).")
    since_decision = serializers.SerializerMethodField(
        help_text="For a decided discrepancy with new evidence: what changed, when, from which visit.")
    observed_rule = serializers.SerializerMethodField(help_text="The rule that picked the observed value.")
    source_conflict = serializers.SerializerMethodField(
        help_text="The observed visit's sources, when they disagree with one another.")
    followups = serializers.SerializerMethodField(help_text="Visits answering a follow-up request, oldest first.")
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    claim_source = ClaimSourceSerializer(source="claim", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Discrepancy
        fields = ["id", "claim", "site", "metric", "kind", "claimed", "observed", "ratio", "severity", "explanation",
                  "explanation_zh", "status", "observations", "photos", "supporting", "new_evidence",
                  "new_evidence_at", "since_decision", "observed_rule", "source_conflict", "decision", "followups",
                  "followup_arrived_at", "assignee", "reviewer", "reviewed_at", "review_note", "created_at",
                  "updated_at", "claim_source", "evidence"]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def _new_evidence(self, discrepancy) -> list:
        # Exporters get what was decided (what is published), never what arrived since.
        if is_restricted(self._user()) or discrepancy.status not in DECIDED_STATUSES:
            return []
        return list(discrepancy.new_evidence.all())

    def get_observations(self, discrepancy) -> list[str]:
        return [str(observation.pk) for observation in discrepancy.observations.all()]

    def get_photos(self, discrepancy) -> list[str]:
        # Open: photos of the contradicting observations' visits, read now (later uploads included).
        # Decided: those of them the decision was made on.
        return sorted(str(photo.pk) for photo in evidence_photos(discrepancy))

    def get_supporting(self, discrepancy) -> list[str]:
        return [str(observation.pk) for observation in discrepancy.supporting.all()]

    def get_new_evidence(self, discrepancy) -> list[str]:
        return [str(observation.pk) for observation in self._new_evidence(discrepancy)]

    def get_since_decision(self, discrepancy) -> dict | None:
        latest = discrepancy.latest
        if latest is None or is_restricted(self._user()) or discrepancy.status not in DECIDED_STATUSES:
            return None
        visits = sorted({str(o.visit_id) for o in self._new_evidence(discrepancy)})
        if latest["resolved"]:
            changed = {}
        else:
            changed = {name: {"decided": getattr(discrepancy, name), "latest": latest[name]}
                       for name in COMPARED_FIELDS if getattr(discrepancy, name) != latest[name]}
        return {"at": serializers.DateTimeField().to_representation(discrepancy.new_evidence_at)
                if discrepancy.new_evidence_at else None,
                "resolved": latest["resolved"], "changed": changed,
                "observed_visit": None if latest["resolved"] else latest["observed_visit_id"],
                "visits": visits}

    def get_observed_rule(self, discrepancy) -> str:
        return observed_rule(discrepancy)

    def get_source_conflict(self, discrepancy) -> list[dict]:
        user, visit = self._user(), discrepancy.observed_visit
        if role_of(user) == Role.REPORTER and (visit is None or visit.reporter_id != user.pk):
            return []  # a colleague's sources
        return discrepancy.source_conflict

    def get_followups(self, discrepancy) -> list[dict]:
        return [{"visit": str(visit.pk), "started_at": serializers.DateTimeField().to_representation(visit.started_at),
                 "created_at": serializers.DateTimeField().to_representation(visit.created_at)}
                for visit in discrepancy.followups.all()]

    def get_evidence(self, discrepancy) -> dict:
        context = {**self.context, "side": "contradicts"}
        return {
            "observations": EvidenceObservationSerializer(discrepancy.observations.all(), many=True,
                                                          context=context).data,
            "supporting": EvidenceObservationSerializer(discrepancy.supporting.all(), many=True,
                                                        context={**self.context, "side": "consistent"}).data,
            "new_evidence": EvidenceObservationSerializer(self._new_evidence(discrepancy), many=True,
                                                          context={**self.context, "side": "new"}).data,
            "photos": EvidencePhotoSerializer(evidence_photos(discrepancy), many=True, context=self.context).data,
        }


class DecisionSerializer(ModelSerializer):
    """One decision of the review history, with the snapshot it was made on."""

    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = DiscrepancyDecision
        fields = ["id", "status", "note", "reviewer", "decided_at", "undone_at", "kind", "claimed", "observed",
                  "ratio", "severity", "explanation", "explanation_zh", "observed_visit_id", "observation_ids",
                  "supporting_ids", "photo_ids", "source_conflict"]
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s.value for s in ReviewStatus if s != ReviewStatus.RESOLVED])
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(allow_null=True, max_length=150, help_text="An editor's username, or null.")


class CommentSerializer(ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    text = serializers.CharField(max_length=5000, trim_whitespace=True)

    class Meta:
        model = DiscrepancyComment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
