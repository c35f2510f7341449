"""Reads for the review desk (API and pages): the queue, a discrepancy with its evidence, a site over time.

Every function returns querysets whose query count does not grow with the number of rows.
"""
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from surveys.models import AuditEvent, Claim, Discrepancy, LinkProposal, Observation, Photo, Site, Visit
from surveys.roles import role_of
from surveys.selectors.scoping import discrepancies_for
from surveys.vocab import PhotoStatus, ReviewStatus, Role


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    severity: str = ""
    site: int | None = None
    metric: str = ""
    assignee: str = ""

    @classmethod
    def from_params(cls, params, *, default_status: str = "") -> "QueueFilters":
        site = params.get("site", "")
        return cls(
            status=params.get("status", default_status) or "",
            severity=params.get("severity", "") or "",
            site=int(site) if site.isdigit() else None,
            metric=params.get("metric", "") or "",
            assignee=params.get("assignee", "") or "",
        )

    def apply(self, discrepancies: QuerySet[Discrepancy], *, with_status: bool = True) -> QuerySet[Discrepancy]:
        if with_status and self.status:
            discrepancies = discrepancies.filter(status=self.status)
        if self.severity:
            discrepancies = discrepancies.filter(severity=self.severity)
        if self.site is not None:
            discrepancies = discrepancies.filter(site_id=self.site)
        if self.metric:
            discrepancies = discrepancies.filter(metric=self.metric)
        if self.assignee:
            discrepancies = discrepancies.filter(assignee__username=self.assignee)
        return discrepancies


def _evidence_photos_for(user) -> QuerySet[Photo]:
    photos = Photo.objects.order_by("created_at", "id")
    role = role_of(user)
    if role == Role.EXPORTER:
        # Only approved display images leave the system.
        return photos.filter(approved_at__isnull=False, status=PhotoStatus.READY)
    if role == Role.REPORTER:
        return photos.filter(visit__reporter=user)
    return photos


def _evidence_observations_for(user) -> QuerySet[Observation]:
    observations = Observation.objects.select_related("visit__reporter").order_by("visit__started_at", "created_at", "id")
    if role_of(user) == Role.REPORTER:
        # A reporter sees the evidence from their own visits, never a colleague's.
        observations = observations.filter(visit__reporter=user)
    return observations.prefetch_related(Prefetch("visit__photos", queryset=_evidence_photos_for(user)))


def discrepancies_with_evidence(user) -> QuerySet[Discrepancy]:
    """The user's discrepancies with claim, source and evidence loaded in a fixed number of queries."""
    return discrepancies_for(user).select_related("claim__organization", "observed_visit__reporter").prefetch_related(
        Prefetch("observations", queryset=_evidence_observations_for(user))
    ).order_by("-severity_rank", "-created_at", "-id")


def evidence_photos(discrepancy: Discrepancy) -> list[Photo]:
    """Photos of the contradicting observations' visits (prefetched), each once."""
    seen, photos = set(), []
    for observation in discrepancy.observations.all():
        for photo in observation.visit.photos.all():
            if photo.pk not in seen:
                seen.add(photo.pk)
                photos.append(photo)
    return photos


def status_counts(user, filters: QueueFilters) -> dict[str, int]:
    """How many discrepancies per status under the other filters, every status present."""
    rows = (filters.apply(discrepancies_for(user), with_status=False).order_by()
            .values("status").annotate(n=Count("id", distinct=True)))
    counts = {status.value: 0 for status in ReviewStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def queue_sites() -> QuerySet[Site]:
    """Sites that have discrepancies, for the queue's site filter."""
    return Site.objects.filter(discrepancies__isnull=False).distinct().order_by("name").only("id", "name")


def discrepancy_history(discrepancy: Discrepancy) -> QuerySet[AuditEvent]:
    return audit_events(object_type=Discrepancy._meta.label_lower, object_id=str(discrepancy.pk))


def audit_events(*, object_type: str = "", object_id: str = "", action: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if action:
        events = events.filter(action=action)
    return events


@dataclass
class SiteOverview:
    site: Site
    claims: list[Claim]
    visits: list[Visit]
    discrepancies: list[Discrepancy]


def site_overview(site: Site, *, visit_limit: int = 50) -> SiteOverview:
    """A site's claims, latest visits (with observations and photos) and discrepancies, newest first."""
    claims = list(Claim.objects.filter(site=site).order_by("-published_on", "-id"))
    visits = list(
        Visit.objects.filter(site=site).select_related("reporter").order_by("-started_at", "id").prefetch_related(
            Prefetch("observations", queryset=Observation.objects.order_by("created_at", "id")),
            Prefetch("photos", queryset=Photo.objects.order_by("created_at", "id")),
        )[:visit_limit]
    )
    discrepancies = list(Discrepancy.objects.filter(site=site).select_related("claim", "assignee")
                         .order_by("-created_at", "-id"))
    return SiteOverview(site=site, claims=claims, visits=visits, discrepancies=discrepancies)


def pending_link_proposals() -> QuerySet[LinkProposal]:
    return (LinkProposal.objects.filter(decision=LinkProposal.Decision.PENDING)
            .select_related("site", "candidate_site", "candidate_organization").order_by("-score", "id"))


def proposed_sites() -> QuerySet[Site]:
    return (Site.objects.filter(verified=False).select_related("proposed_by", "organization", "parent")
            .annotate(visit_count=Count("visits")).order_by("created_at", "id"))


def photos_awaiting_approval() -> QuerySet[Photo]:
    return (Photo.objects.filter(status=PhotoStatus.READY, approved_at__isnull=True).exclude(display="")
            .select_related("visit__site", "visit__reporter").order_by("created_at", "id"))
