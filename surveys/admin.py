from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from surveys.models import (
    ApiToken, AuditEvent, Claim, Discrepancy, DiscrepancyComment, ExportJob, IdempotencyRecord,
    LinkProposal, Observation, Organization, Photo, Site, Visit,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "updated_at"]
    search_fields = ["name", "search_text"]
    autocomplete_fields = ["parent"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "parent", "verified", "radius_m"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "search_text"]
    autocomplete_fields = ["organization", "parent"]
    list_select_related = ["organization", "parent"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "site", "organization", "metric", "low", "high", "status_value", "due_date", "source_name", "published_on"]
    list_filter = ["metric", "source_kind", "site"]
    search_fields = ["text", "source_name", "site__search_text", "organization__search_text"]
    autocomplete_fields = ["site", "organization"]
    list_select_related = ["site", "organization"]
    readonly_fields = ["created_by", "created_at", "updated_at"]


class ObservationInline(admin.TabularInline):
    model = Observation
    extra = 0
    fields = ["metric", "low", "high", "unit", "qualifier", "status_value", "method", "source_role", "quote", "confidence", "extracted", "rejected"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["id", "status", "flags", "distance_m", "taken_at", "caption"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["site", "reporter", "started_at", "observed_status", "activity_level", "processing"]
    list_filter = ["processing", "observed_status", "site"]
    search_fields = ["notes", "site__search_text", "reporter__username"]
    date_hierarchy = "started_at"
    autocomplete_fields = ["site", "followup_of"]
    list_select_related = ["site", "reporter"]
    readonly_fields = ["processing", "processing_error", "created_at", "updated_at"]
    inlines = [ObservationInline, PhotoInline]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["visit", "metric", "low", "high", "unit", "method", "source_role", "extracted", "rejected"]
    list_filter = ["metric", "method", "extracted", "rejected", "visit__site"]
    search_fields = ["quote", "source_role", "visit__site__search_text"]
    list_select_related = ["visit__site"]
    raw_id_fields = ["visit"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["id", "visit", "status", "taken_at", "distance_m", "flags", "approved_at"]
    list_filter = ["status", "visit__site"]
    search_fields = ["sha256", "caption", "visit__site__search_text"]
    list_select_related = ["visit__site"]
    raw_id_fields = ["visit"]
    readonly_fields = [f.name for f in Photo._meta.fields if f.name not in ("caption",)]


class CommentInline(admin.TabularInline):
    model = DiscrepancyComment
    extra = 0
    readonly_fields = ["author", "created_at"]


@admin.register(Discrepancy)
class DiscrepancyAdmin(admin.ModelAdmin):
    list_display = ["site", "metric", "kind", "severity", "status", "ratio", "assignee", "updated_at"]
    list_filter = ["status", "severity", "kind", "metric", "site"]
    search_fields = ["explanation", "site__search_text", "claim__text"]
    list_select_related = ["site", "assignee"]
    readonly_fields = ["claim", "site", "metric", "kind", "claimed", "observed", "ratio", "severity",
                       "explanation", "explanation_zh", "observations", "observed_visit", "created_at", "updated_at"]
    inlines = [CommentInline]


@admin.register(LinkProposal)
class LinkProposalAdmin(admin.ModelAdmin):
    list_display = ["site_name", "candidate_name", "score", "decision", "decided_by"]
    list_filter = ["decision"]
    search_fields = ["site_name", "candidate_name"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "prefix", "device", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "device", "prefix"]
    readonly_fields = ["user", "key_hash", "prefix", "device", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are issued by the API, shown once

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        from django.utils import timezone

        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "requested_by", "format", "status", "progress", "created_at", "expires_at"]
    list_filter = ["status", "format"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "key", "state", "status_code", "created_at", "expires_at"]
    search_fields = ["key", "user__username"]

from surveys import outbox_admin  # noqa: E402,F401  webhook endpoints, deliveries and their log
