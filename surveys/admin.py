"""The Django admin. Nobody goes around the audit: every model whose changes the audit records is
read-only here, or its admin saves and deletes through the same services as the API and the desk
(audit, re-match, on-commit tasks)."""
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from surveys.models import (
    ApiToken, AuditEvent, Claim, Discrepancy, DiscrepancyComment, DiscrepancyDecision, ExportJob, IdempotencyRecord,
    LinkProposal, Observation, Organization, Photo, Site, Visit,
)
from surveys.web.formatting import role_label, unit_label, value_text
from surveys.web.presenters import (
    ACTION_LABELS, FLAG_LABELS, FORMAT_LABELS, audit_rows, format_label, object_type_options, photo_card,
)

# Vocabulary the models store as codes, shown in the admin in the page's language, as the desk shows it.


@admin.display(description=_("unit"), ordering="unit")
def _unit(row):
    return unit_label(row.unit) or "—"


@admin.display(description=_("source role"), ordering="source_role")
def _source_role(row):
    return role_label(row.source_role) or "—"


@admin.display(description=_("flags"))
def _flags(photo):
    return ", ".join(str(FLAG_LABELS.get(flag, flag)) for flag in photo.flags or []) or "—"


@admin.display(description=_("flag details"))
def _flag_details(photo):
    flags = photo_card(photo, with_originals=False, zone=photo.visit.site.timezone).flags
    return "; ".join(f"{flag.label}: {', '.join(flag.lines)}" if flag.lines else flag.label for flag in flags) or "—"


class ThroughServices:
    """A ModelAdmin whose saves and deletions are the services' (`save_through` and `delete_through`)."""

    def save_model(self, request, obj, form, change):
        original = type(obj).objects.get(pk=obj.pk) if change else None
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        saved = self.save_through(original=original, values=values, actor=request.user)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        self.delete_through(obj=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_through(obj=obj, actor=request.user)

    def delete_through(self, *, obj, actor):
        from surveys.services.entities import entity_delete

        entity_delete(obj=obj, actor=actor)


@admin.register(Organization)
class OrganizationAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["name", "parent", "updated_at"]
    search_fields = ["name", "search_text"]
    autocomplete_fields = ["parent"]

    def save_through(self, *, original, values, actor):
        from surveys.services.entities import organization_save

        return organization_save(organization=original, values=values, actor=actor)


@admin.register(Site)
class SiteAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "parent", "verified", "radius_m"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "search_text"]
    autocomplete_fields = ["organization", "parent"]
    list_select_related = ["organization", "parent"]

    def save_through(self, *, original, values, actor):
        from surveys.services.entities import site_save

        return site_save(site=original, values=values, actor=actor, as_editor=True)


@admin.register(Claim)
class ClaimAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["__str__", "site", "organization", "metric", "low", "high", "status_value", "due_date", "source_name", "published_on"]
    list_filter = ["metric", "source_kind", "site"]
    search_fields = ["text", "source_name", "site__search_text", "organization__search_text"]
    autocomplete_fields = ["site", "organization"]
    list_select_related = ["site", "organization"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_through(self, *, original, values, actor):
        from surveys.services.entities import claim_save

        return claim_save(claim=original, values=values, actor=actor)  # re-matches on commit


class ReadOnlyInline:
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ObservationInline(ReadOnlyInline, admin.TabularInline):
    model = Observation
    fields = ["metric", "low", "high", "unit_text", "qualifier", "status_value", "method", "role_text", "quote",
              "confidence", "extracted", "rejected"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description=_("unit"))
    def unit_text(self, observation):
        return _unit(observation)

    @admin.display(description=_("source role"))
    def role_text(self, observation):
        return _source_role(observation)


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["id", "status", "flag_text", "distance_m", "taken_at", "caption"]
    readonly_fields = fields

    @admin.display(description=_("flags"))
    def flag_text(self, photo):
        return _flags(photo)
    can_delete = False
    show_change_link = True


@admin.register(Visit)
class VisitAdmin(ThroughServices, admin.ModelAdmin):
    """Visits come from reporters' phones; an editor's change is the API's (re-extraction, re-match, audit)."""

    list_display = ["site", "reporter", "started_at", "observed_status", "activity_level", "processing"]
    list_filter = ["processing", "observed_status", "site"]
    search_fields = ["notes", "site__search_text", "reporter__username"]
    date_hierarchy = "started_at"
    autocomplete_fields = ["site", "followup_of"]
    list_select_related = ["site", "reporter"]
    readonly_fields = ["reporter", "processing", "processing_error", "created_at", "updated_at"]
    inlines = [ObservationInline, PhotoInline]

    def has_add_permission(self, request):
        return False

    def save_through(self, *, original, values, actor):
        from surveys.services.visits import visit_update

        return visit_update(visit=original, values=values, actor=actor)

    def delete_through(self, *, obj, actor):
        from surveys.services.visits import visit_delete

        visit_delete(visit=obj, actor=actor)


@admin.register(Observation)
class ObservationAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["visit", "metric", "low", "high", _unit, "method", _source_role, "extracted", "rejected"]
    list_filter = ["metric", "method", "extracted", "rejected", "visit__site"]
    search_fields = ["quote", "source_role", "visit__site__search_text"]
    list_select_related = ["visit__site"]
    raw_id_fields = ["visit"]
    readonly_fields = ["visit", "extracted"]

    def has_add_permission(self, request):
        return False

    def save_through(self, *, original, values, actor):
        from surveys.services.visits import observation_update

        return observation_update(observation=original, values=values, actor=actor)

    def delete_through(self, *, obj, actor):
        from surveys.services.visits import observation_delete

        observation_delete(observation=obj, actor=actor)


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    """Approval and rejection are the desk's (audited, see surveys/services/desk.py): read-only here but the
    caption; a deletion is the API's (audited, refused when a decision rests on the photo for reporters)."""

    list_display = ["id", "visit", "status", "taken_at", "distance_m", _flags, "approved_at"]
    list_filter = ["status", "visit__site"]
    search_fields = ["sha256", "caption", "visit__site__search_text"]
    list_select_related = ["visit__site"]
    raw_id_fields = ["visit"]
    readonly_fields = [_flags, _flag_details,
                       *(f.name for f in Photo._meta.fields if f.name not in ("caption", "flags", "flag_details"))]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        from surveys.services.photo_access import photo_delete

        photo_delete(photo=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for photo in queryset:
            self.delete_model(request, photo)


class CommentInline(ReadOnlyInline, admin.TabularInline):
    model = DiscrepancyComment
    fields = ["author", "text", "created_at"]
    readonly_fields = fields


class DecisionInline(ReadOnlyInline, admin.TabularInline):
    model = DiscrepancyDecision
    fk_name = "discrepancy"
    fields = ["decided_at", "status", "reviewer", "note", "observed_text", "ratio", "severity", "undone_at"]
    readonly_fields = fields

    @admin.display(description=_("observed"))
    def observed_text(self, decision):
        return value_text(decision.observed)


@admin.register(Discrepancy)
class DiscrepancyAdmin(admin.ModelAdmin):
    """Read-only: decisions, assignments and comments are made in the desk or the API, audited and snapshotted."""

    list_display = ["site", "metric", "kind", "severity", "status", "ratio", "assignee", "updated_at"]
    list_filter = ["status", "severity", "kind", "metric", "site"]
    search_fields = ["explanation", "site__search_text", "claim__text"]
    list_select_related = ["site", "assignee"]
    readonly_fields = ["claim", "site", "metric", "kind", "claimed_text", "observed_text", "ratio", "severity",
                       "explanation", "explanation_zh", "observations", "observed_visit", "created_at", "updated_at"]
    exclude = ["claimed", "observed"]
    inlines = [DecisionInline, CommentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("claimed"))
    def claimed_text(self, discrepancy):
        return value_text(discrepancy.claimed, with_due=True)

    @admin.display(description=_("observed"))
    def observed_text(self, discrepancy):
        return value_text(discrepancy.observed)


@admin.register(LinkProposal)
class LinkProposalAdmin(admin.ModelAdmin):
    """Read-only: proposals are accepted or rejected in the desk or the API (which link or merge, audited)."""

    list_display = ["site_name", "candidate_name", "score", "decision", "decided_by"]
    list_filter = ["decision"]
    search_fields = ["site_name", "candidate_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ActionFilter(admin.SimpleListFilter):
    title = _("what happened")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(action, label) for action, label in ACTION_LABELS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class _ObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        return object_type_options()

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


class _AuditChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        events = list(self.result_list)  # names for the whole page at once (one query per kind of object)
        for event, row in zip(events, audit_rows(events), strict=True):
            event._desk_row = row


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only, in the words of the desk's audit page: what happened, to what, "field: before → after"."""

    list_display = ["created_at", "actor", "action_text", "object_text", "changes_text"]
    list_filter = [_ActionFilter, _ObjectTypeFilter]
    search_fields = ["object_id", "actor__username"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    fields = ["created_at", "actor", "action_text", "object_text", "changes_text"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_changelist(self, request, **kwargs):
        return _AuditChangeList

    def _row(self, event):
        if not hasattr(event, "_desk_row"):
            event._desk_row = audit_rows([event])[0]
        return event._desk_row

    @admin.display(description=_("what happened"), ordering="action")
    def action_text(self, event):
        return self._row(event).action

    @admin.display(description=_("object"))
    def object_text(self, event):
        return self._row(event).object_label

    @admin.display(description=_("changes"))
    def changes_text(self, event):
        return render_to_string("desk/_changes.html", {"changes": self._row(event).changes})

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


class _FormatFilter(admin.SimpleListFilter):
    title = _("format")
    parameter_name = "format"

    def lookups(self, request, model_admin):
        return [(name, format_label(name)) for name in FORMAT_LABELS]

    def queryset(self, request, queryset):
        return queryset.filter(format=self.value()) if self.value() else queryset


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "requested_by", "format_text", "status", "progress", "created_at", "expires_at"]
    list_filter = ["status", _FormatFilter]


    @admin.display(description=_("format"), ordering="format")
    def format_text(self, job):
        return format_label(job.format)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "key", "state", "status_code", "created_at", "expires_at"]
    search_fields = ["key", "user__username"]

from surveys import outbox_admin  # noqa: E402,F401  webhook endpoints, deliveries and their log
