"""Query parameters of every list and export, parsed and validated in one place.

One FilterSet per list. The API applies them through django-filter's DRF backend (a bad
value is a 400 naming the field), drf-spectacular documents the parameters from them, and
the exports, the `export` command and the desk parse their filters with the same sets.
Values are strict: `?site=abc`, `?verified=maybe` or a date that is no date are refused,
never read as "no filter". Text values may not hold NUL bytes (PostgreSQL cannot store them).
"""
import datetime as dt

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from surveys.models import AuditEvent, Claim, Delivery, Discrepancy, Observation, Organization, Photo, Site, Visit
from surveys.selectors.exports import ExportFilters
from surveys.selectors.instants import instant_parse
from surveys.vocab import DECIDED_STATUSES, Metric, ReviewStatus, Severity, SiteKind, choices

# The largest id a database integer column holds (SQLite and PostgreSQL bigint).
MAX_ID = 2**63 - 1


# ------------------------------------------------------------------ values
class InstantField(forms.CharField):
    """A date or date-time (surveys.selectors.instants)."""

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return value
        return instant_parse(super().to_python(value).strip())


class StrictBooleanField(forms.Field):
    """true/false, 1/0 or yes/no; anything else is an error, not "false"."""

    WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.WORDS[str(value).strip().lower()]
        except KeyError:
            raise ValidationError("Expected true or false.", code="invalid") from None


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """An object id: a whole number the database can hold (an unknown id simply matches nothing)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantFilter(filters.Filter):
    field_class = InstantField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class SearchFilter(filters.CharFilter):
    """Names and aliases in any script: the casefolded term within the row's search text."""

    def __init__(self, **kwargs):
        super().__init__(field_name="search_text", lookup_expr="contains",
                         help_text="Names and aliases, any script.", **kwargs)

    def filter(self, queryset, value):
        return super().filter(queryset, value.strip().casefold())


# ------------------------------------------------------------------ lists
class SyncFilter(filters.FilterSet):
    """Lists that phones sync: the two parameters that turn the list into its feed (api/sync.py)."""

    updated_since = InstantFilter(method="feed", help_text="Start a sync feed: rows changed since.")
    cursor = filters.CharFilter(method="feed", help_text="Continue a sync feed (from `next` or `sync_cursor`).")

    def feed(self, queryset, name, value):
        return queryset  # validated here; the feed itself is read by the sync view


class OrganizationFilter(SyncFilter):
    search = SearchFilter()

    class Meta:
        model = Organization
        fields = []


class SiteFilter(SyncFilter):
    search = SearchFilter()
    verified = StrictBooleanFilter()
    kind = filters.ChoiceFilter(choices=choices(SiteKind))
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = Site
        fields = []


class ClaimFilter(SyncFilter):
    site = IdFilter(field_name="site_id")
    organization = IdFilter(field_name="organization_id")
    metric = filters.ChoiceFilter(choices=choices(Metric))

    class Meta:
        model = Claim
        fields = []


class VisitFilter(SyncFilter):
    site = IdFilter(field_name="site_id")
    since = InstantFilter(field_name="started_at", lookup_expr="gte", help_text="started_at at or after")
    until = InstantFilter(field_name="started_at", lookup_expr="lt", help_text="started_at before")

    class Meta:
        model = Visit
        fields = []


class ObservationFilter(SyncFilter):
    visit = filters.UUIDFilter(field_name="visit_id")

    class Meta:
        model = Observation
        fields = []


class PhotoFilter(filters.FilterSet):
    visit = filters.UUIDFilter(field_name="visit_id")

    class Meta:
        model = Photo
        fields = []


class DiscrepancyFilter(filters.FilterSet):
    """The review queue's filters, for the API's list and the desk's queue alike."""

    status = filters.ChoiceFilter(choices=choices(ReviewStatus))
    severity = filters.ChoiceFilter(choices=choices(Severity))
    site = IdFilter(field_name="site_id")
    metric = filters.ChoiceFilter(choices=choices(Metric))
    assignee = filters.CharFilter(field_name="assignee__username", help_text="An editor's username.")
    new_evidence = StrictBooleanFilter(
        method="filter_new_evidence",
        help_text="Decided discrepancies with evidence (or a follow-up) that arrived after the decision.")

    class Meta:
        model = Discrepancy
        fields = []

    def filter_new_evidence(self, queryset, name, value):
        if value is None:
            return queryset
        waiting = Q(new_evidence_at__isnull=False, status__in=list(DECIDED_STATUSES))
        return queryset.filter(waiting) if value else queryset.exclude(waiting)


class AuditEventFilter(filters.FilterSet):
    object_type = filters.CharFilter(help_text='e.g. "surveys.discrepancy"')
    object_id = filters.CharFilter()
    action = filters.CharFilter(help_text='e.g. "discrepancy.review"')
    actor = filters.CharFilter(field_name="actor__username", help_text="A username.")
    since = InstantFilter(field_name="created_at", lookup_expr="gte", help_text="At or after.")
    until = InstantFilter(field_name="created_at", lookup_expr="lt", help_text="Before.")

    class Meta:
        model = AuditEvent
        fields = []


# ------------------------------------------------------------------ exports
class ExportFilter(filters.FilterSet):
    """The exports' filters. Parsed here, applied by each dataset to the rows it has
    (surveys.selectors.exports), hence no field names."""

    site = IdFilter()
    since = InstantFilter(help_text="A visit's started_at at or after (date or date-time).")
    until = InstantFilter(help_text="A visit's started_at before (date or date-time).")
    status = filters.ChoiceFilter(choices=choices(ReviewStatus), help_text="Discrepancies' review status.")
    metric = filters.ChoiceFilter(choices=choices(Metric))
    bom = StrictBooleanFilter(help_text="CSV only: start with a UTF-8 BOM (for Excel).")

    class Meta:
        model = Visit  # django-filter builds its form for a model; these filters are never applied to it
        fields = []



def cleaned(filterset_class, data) -> dict:
    """The values a FilterSet reads from `data` (None or "" for those absent), or Django's
    ValidationError naming each field at fault. For callers that filter by other means."""
    form = filterset_class(data=data, queryset=filterset_class._meta.model.objects.none()).form
    if not form.is_valid():
        raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
    return form.cleaned_data


def export_filters(data) -> ExportFilters:
    """Export filters from query parameters, a job's body or command-line options."""
    return export_filters_of(cleaned(ExportFilter, data))


def export_filters_of(values: dict) -> ExportFilters:
    """The ExportFilters in ExportFilter's cleaned values (which also hold `bom`, no filter)."""
    return ExportFilters(**{name: value for name, value in values.items()
                            if name != "bom" and value not in (None, "")})


class FollowupFilter(filters.FilterSet):
    answered = StrictBooleanFilter(method="filter_answered",
                                   help_text="false: the requests still waiting for a visit; true: those answered.")
    site = IdFilter(field_name="site_id")

    class Meta:
        model = Discrepancy
        fields = []

    def filter_answered(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(answered_at__isnull=not value)


class DeliveryFilter(filters.FilterSet):
    """The outbox's deliveries (admins): by state, channel, event name or webhook endpoint."""

    state = filters.ChoiceFilter(choices=Delivery.State.choices)
    channel = filters.ChoiceFilter(choices=Delivery.Channel.choices)
    event = filters.CharFilter(field_name="event__event", help_text='e.g. "discrepancy.decided"')
    endpoint = IdFilter(field_name="endpoint_id", help_text="A webhook endpoint's id.")

    class Meta:
        model = Delivery
        fields = []
