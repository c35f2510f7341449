"""Reads for the review desk (API and pages): the queue, a discrepancy with its evidence, a site over time.

Every function returns querysets whose query count does not grow with the number of rows.
"""
import datetime as dt
import math
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from surveys.filters import AuditEventFilter, DiscrepancyFilter
from surveys.models import (
    AuditEvent, Claim, Discrepancy, DiscrepancyDecision, ExportJob, LinkProposal, Observation, Photo, Site, Visit,
)
from surveys.roles import role_of
from surveys.selectors.scoping import discrepancies_for
from surveys.vocab import DECIDED_STATUSES, PhotoStatus, ReviewStatus, Role


# The queue's order: most severe first, then newest.
QUEUE_ORDER = ("-severity_rank", "-created_at", "-id")


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    severity: str = ""
    site: int | None = None
    metric: str = ""
    assignee: str = ""
    new_evidence: bool = False  # decided ones with evidence (or a follow-up) that arrived after the decision

    @classmethod
    def from_params(cls, params, *, default_status: str = "") -> "QueueFilters":
        """Read as the API reads them (surveys.filters.DiscrepancyFilter); a page drops a bad value."""
        form = DiscrepancyFilter(data=params, queryset=Discrepancy.objects.none()).form
        form.is_valid()
        values = {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}
        if "status" not in params:
            values["status"] = default_status
        return cls(**values)

    def apply(self, discrepancies: QuerySet[Discrepancy], *, with_status: bool = True) -> QuerySet[Discrepancy]:
        values = {name: value for name, value in asdict(self).items() if value not in ("", None)}
        values["new_evidence"] = "true" if self.new_evidence else ""
        if not with_status:
            values.pop("status", None)
        return DiscrepancyFilter(data=values, queryset=discrepancies).qs

    def query_string(self) -> str:
        """The filters as URL parameters, so that a page opened from the queue knows its queue."""
        params = {"status": self.status}  # present even when empty: "every status"
        for name, value in asdict(self).items():
            if name != "status" and value not in ("", None, False):
                params[name] = "true" if value is True else value
        return urlencode(params)


def queue_rows(user, filters: QueueFilters) -> QuerySet[Discrepancy]:
    return filters.apply(discrepancies_for(user)).order_by(*QUEUE_ORDER)


def _beyond(discrepancy: Discrepancy, *, after: bool) -> Q:
    """Rows after (or before) `discrepancy` in QUEUE_ORDER, whether or not it is itself in the queue."""
    rank, created = discrepancy.severity_rank, discrepancy.created_at
    side = "lt" if after else "gt"  # the order is descending
    return (Q(**{f"severity_rank__{side}": rank}) | Q(severity_rank=rank, **{f"created_at__{side}": created})
            | Q(severity_rank=rank, created_at=created, **{f"id__{side}": discrepancy.pk}))


@dataclass(frozen=True)
class QueuePlace:
    """Where a discrepancy sits in a filtered queue: "3 of 12", and its neighbours."""

    position: int | None  # None when the discrepancy is not (or no longer) in the queue
    total: int
    previous_id: int | None
    next_id: int | None


def queue_next(user, filters: QueueFilters, discrepancy: Discrepancy) -> int | None:
    return queue_rows(user, filters).filter(_beyond(discrepancy, after=True)).values_list("id", flat=True).first()


def queue_place(user, filters: QueueFilters, discrepancy: Discrepancy) -> QueuePlace:
    """Three queries whatever the queue's length."""
    rows = filters.apply(discrepancies_for(user)).order_by()
    earlier = _beyond(discrepancy, after=False)
    counts = rows.aggregate(total=Count("id"), before=Count("id", filter=earlier),
                            here=Count("id", filter=Q(pk=discrepancy.pk)))
    previous_id = (rows.filter(earlier).order_by(*(field.lstrip("-") for field in QUEUE_ORDER))
                   .values_list("id", flat=True).first())
    return QueuePlace(position=counts["before"] + 1 if counts["here"] else None, total=counts["total"],
                      previous_id=previous_id, next_id=queue_next(user, filters, discrepancy))


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
    """The user's discrepancies with claim, source and evidence (both sides, and what arrived after the
    decision) loaded in a fixed number of queries."""
    followups = Visit.objects.order_by("started_at", "id").only("id", "followup_of_id", "started_at", "created_at")
    if role_of(user) == Role.REPORTER:
        followups = followups.filter(reporter=user)
    elif role_of(user) == Role.EXPORTER:
        followups = followups.none()
    return discrepancies_for(user).select_related(
        "claim__organization", "observed_visit__reporter", "observed_observation", "decision",
    ).prefetch_related(
        Prefetch("observations", queryset=_evidence_observations_for(user)),
        Prefetch("supporting", queryset=_evidence_observations_for(user)),
        Prefetch("new_evidence", queryset=_evidence_observations_for(user)),
        Prefetch("followups", queryset=followups),
    ).order_by("-severity_rank", "-created_at", "-id")


def evidence_photos(discrepancy: Discrepancy) -> list[Photo]:
    """Photos of the contradicting observations' visits (prefetched), each once; for a decided discrepancy,
    those the decision was made on."""
    decided = None
    if discrepancy.status in DECIDED_STATUSES and discrepancy.decision_id is not None:
        decided = set(discrepancy.decision.photo_ids)
    seen, photos = set(), []
    for observation in discrepancy.observations.all():
        for photo in observation.visit.photos.all():
            if photo.pk not in seen and (decided is None or str(photo.pk) in decided):
                seen.add(photo.pk)
                photos.append(photo)
    return photos


def observed_rule(discrepancy: Discrepancy) -> str:
    """The rule that picked the observed value, in one line of the reader's language."""
    observation = discrepancy.observed_observation
    if observation is None or discrepancy.observed_visit is None:
        return gettext("Observed: the most confident observation of the latest visit (rejected ones left out).")
    return gettext("Observed: the most confident observation of the latest visit (%(date)s): %(method)s, "
                   "confidence %(confidence)s.") % {
        "date": discrepancy.observed_visit.started_at.date().isoformat(),
        "method": gettext(METHOD_LABELS.get(observation.method, observation.method)),
        "confidence": f"{observation.confidence:.2f}",
    }


# How each method reads in the observed-value rule.
METHOD_LABELS = {
    "counted": gettext_noop("counted"), "estimated": gettext_noop("estimated"),
    "interview": gettext_noop("told by someone on site"), "signage": gettext_noop("read on a sign"),
    "document": gettext_noop("from a document"), "photo": gettext_noop("seen in a photo"),
    "reporter": gettext_noop("the reporter's own mark"),
}


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


def decision_history(discrepancy: Discrepancy) -> QuerySet[DiscrepancyDecision]:
    """Every decision on the discrepancy, newest first, each with its snapshot."""
    return discrepancy.decisions.select_related("reviewer").order_by("-decided_at", "-id")


def discrepancy_history(discrepancy: Discrepancy) -> QuerySet[AuditEvent]:
    return audit_events(object_type=Discrepancy._meta.label_lower, object_id=str(discrepancy.pk))


def audit_events(*, object_type: str = "", object_id: str = "", action: str = "", actor: str = "",
                 since: dt.datetime | None = None, until: dt.datetime | None = None) -> QuerySet[AuditEvent]:
    """Newest first; `since` inclusive, `until` exclusive; `actor` is a username (AuditEventFilter's rules)."""
    events = AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
    filters = {"object_type": object_type, "object_id": object_id, "action": action, "actor": actor,
               "since": since, "until": until}
    return AuditEventFilter(data={name: value for name, value in filters.items() if value}, queryset=events).qs


def audit_actors() -> QuerySet:
    """Every user, by name, for the audit page's "who" filter."""
    return get_user_model().objects.order_by("username").only("id", "username")


@dataclass
class SiteOverview:
    site: Site
    claims: list[Claim]
    visits: list[Visit]
    discrepancies: list[Discrepancy]
    nearby: list[Site]  # other sites within NEARBY_KM, for the map


NEARBY_KM = 5.0


def nearby_sites(site: Site, *, km: float = NEARBY_KM, limit: int = 20) -> list[Site]:
    """Sites whose position falls in a box `km` around this one (a duplicate proposal shows up here)."""
    if site.latitude is None or site.longitude is None:
        return []
    dlat = km / 111.32
    dlon = km / max(111.32 * math.cos(math.radians(site.latitude)), 1e-6)
    return list(Site.objects.exclude(pk=site.pk).filter(
        latitude__range=(site.latitude - dlat, site.latitude + dlat),
        longitude__range=(site.longitude - dlon, site.longitude + dlon),
    ).order_by("name").only("id", "name", "latitude", "longitude")[:limit])


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
                         .order_by(*QUEUE_ORDER))
    return SiteOverview(site=site, claims=claims, visits=visits, discrepancies=discrepancies,
                        nearby=nearby_sites(site))


def gallery_photos(*, site: Site | None = None, visit: Visit | None = None) -> QuerySet[Photo]:
    """A site's or a visit's photos, visit by visit, in the order they were taken."""
    photos = Photo.objects.select_related("visit__reporter", "approved_by", "rejected_by")
    photos = photos.filter(visit=visit) if visit is not None else photos.filter(visit__site=site)
    return photos.order_by("-visit__started_at", "visit_id", "taken_at", "created_at", "id")


def pending_link_proposals() -> QuerySet[LinkProposal]:
    return (LinkProposal.objects.filter(decision=LinkProposal.Decision.PENDING)
            .select_related("site", "candidate_site", "candidate_organization").order_by("-score", "id"))


def proposed_sites() -> QuerySet[Site]:
    """Unverified sites with their visits (positions for the map) and how many there are."""
    visits = Visit.objects.select_related("reporter").order_by("-started_at", "id").only(
        "id", "site_id", "started_at", "latitude", "longitude", "reporter__username")
    return (Site.objects.filter(verified=False).select_related("proposed_by", "organization", "parent")
            .annotate(visit_count=Count("visits")).prefetch_related(Prefetch("visits", queryset=visits))
            .order_by("created_at", "id"))


def photos_awaiting_approval() -> QuerySet[Photo]:
    return (Photo.objects.filter(status=PhotoStatus.READY, approved_at__isnull=True, rejected_at__isnull=True)
            .exclude(display="").select_related("visit__site", "visit__reporter").order_by("created_at", "id"))


def recent_export_jobs(jobs: QuerySet[ExportJob], *, limit: int = 20) -> list[ExportJob]:
    return list(jobs.select_related("requested_by").order_by("-created_at")[:limit])
